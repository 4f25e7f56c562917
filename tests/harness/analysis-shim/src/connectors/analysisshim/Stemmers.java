package connectors.analysisshim;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.bg.BulgarianStemFilter;
import org.apache.lucene.analysis.bn.BengaliStemFilter;
import org.apache.lucene.analysis.br.BrazilianStemFilter;
import org.apache.lucene.analysis.ckb.SoraniStemFilter;
import org.apache.lucene.analysis.cz.CzechStemFilter;
import org.apache.lucene.analysis.de.GermanLightStemFilter;
import org.apache.lucene.analysis.de.GermanMinimalStemFilter;
import org.apache.lucene.analysis.el.GreekStemFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.es.SpanishPluralStemFilter;
import org.apache.lucene.analysis.fa.PersianStemFilter;
import org.apache.lucene.analysis.fi.FinnishLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.gl.GalicianMinimalStemFilter;
import org.apache.lucene.analysis.gl.GalicianStemFilter;
import org.apache.lucene.analysis.hi.HindiStemFilter;
import org.apache.lucene.analysis.hu.HungarianLightStemFilter;
import org.apache.lucene.analysis.id.IndonesianStemFilter;
import org.apache.lucene.analysis.it.ItalianLightStemFilter;
import org.apache.lucene.analysis.lv.LatvianStemFilter;
import org.apache.lucene.analysis.no.NorwegianLightStemFilter;
import org.apache.lucene.analysis.no.NorwegianMinimalStemFilter;
import org.apache.lucene.analysis.pt.PortugueseLightStemFilter;
import org.apache.lucene.analysis.pt.PortugueseMinimalStemFilter;
import org.apache.lucene.analysis.pt.PortugueseStemFilter;
import org.apache.lucene.analysis.ru.RussianLightStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.sv.SwedishLightStemFilter;
import org.apache.lucene.analysis.sv.SwedishMinimalStemFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/** The `stemmer` filter: its `language` (or `name`) picks a Lucene stemmer. */
final class Stemmers {
    private Stemmers() {}

    private static final Map<String, Function<TokenStream, TokenStream>> LUCENE = Map.ofEntries(
        Map.entry("english", PorterStemFilter::new),
        Map.entry("porter", PorterStemFilter::new),
        Map.entry("light_english", KStemFilter::new),
        Map.entry("kstem", KStemFilter::new),
        Map.entry("minimal_english", EnglishMinimalStemFilter::new),
        Map.entry("possessive_english", EnglishPossessiveFilter::new),
        Map.entry("arabic", ArabicStemFilter::new),
        Map.entry("bengali", BengaliStemFilter::new),
        Map.entry("brazilian", BrazilianStemFilter::new),
        Map.entry("bulgarian", BulgarianStemFilter::new),
        Map.entry("czech", CzechStemFilter::new),
        Map.entry("light_finnish", FinnishLightStemFilter::new),
        Map.entry("light_french", FrenchLightStemFilter::new),
        Map.entry("minimal_french", FrenchMinimalStemFilter::new),
        Map.entry("galician", GalicianStemFilter::new),
        Map.entry("minimal_galician", GalicianMinimalStemFilter::new),
        Map.entry("light_german", GermanLightStemFilter::new),
        Map.entry("minimal_german", GermanMinimalStemFilter::new),
        Map.entry("greek", GreekStemFilter::new),
        Map.entry("hindi", HindiStemFilter::new),
        Map.entry("light_hungarian", HungarianLightStemFilter::new),
        Map.entry("indonesian", IndonesianStemFilter::new),
        Map.entry("light_italian", ItalianLightStemFilter::new),
        Map.entry("latvian", LatvianStemFilter::new),
        Map.entry("light_norwegian", NorwegianLightStemFilter::new),
        Map.entry("minimal_norwegian", NorwegianMinimalStemFilter::new),
        Map.entry("persian", PersianStemFilter::new),
        Map.entry("light_portuguese", PortugueseLightStemFilter::new),
        Map.entry("minimal_portuguese", PortugueseMinimalStemFilter::new),
        Map.entry("portuguese_rslp", PortugueseStemFilter::new),
        Map.entry("light_russian", RussianLightStemFilter::new),
        Map.entry("sorani", SoraniStemFilter::new),
        Map.entry("light_spanish", SpanishLightStemFilter::new),
        Map.entry("spanish_plural", SpanishPluralStemFilter::new),
        Map.entry("light_swedish", SwedishLightStemFilter::new),
        Map.entry("minimal_swedish", SwedishMinimalStemFilter::new)
    );

    /** Languages stemmed by a Snowball stemmer, keyed by Elasticsearch name to Snowball class prefix. */
    private static final Map<String, String> SNOWBALL = Map.ofEntries(
        Map.entry("porter2", "English"),
        Map.entry("lovins", "Lovins"),
        Map.entry("armenian", "Armenian"),
        Map.entry("basque", "Basque"),
        Map.entry("catalan", "Catalan"),
        Map.entry("danish", "Danish"),
        Map.entry("dutch", "Dutch"),
        Map.entry("dutch_kp", "Kp"),
        Map.entry("estonian", "Estonian"),
        Map.entry("finnish", "Finnish"),
        Map.entry("french", "French"),
        Map.entry("german", "German"),
        Map.entry("german2", "German"),
        Map.entry("hungarian", "Hungarian"),
        Map.entry("irish", "Irish"),
        Map.entry("italian", "Italian"),
        Map.entry("lithuanian", "Lithuanian"),
        Map.entry("norwegian", "Norwegian"),
        Map.entry("portuguese", "Portuguese"),
        Map.entry("romanian", "Romanian"),
        Map.entry("russian", "Russian"),
        Map.entry("serbian", "Serbian"),
        Map.entry("spanish", "Spanish"),
        Map.entry("swedish", "Swedish"),
        Map.entry("turkish", "Turkish")
    );

    static TokenFilterFactory filter(String name, Settings s) {
        String language = s.get("language", s.get("name", "porter")).toLowerCase(Locale.ROOT);
        Function<TokenStream, TokenStream> lucene = LUCENE.get(language);
        if (lucene != null) {
            return Named.filter(name, lucene);
        }
        String snowball = SNOWBALL.get(language);
        if (snowball != null) {
            return Named.filter(name, in -> new SnowballFilter(in, snowball));
        }
        throw new IllegalArgumentException("stemmer filter [" + name + "]: unsupported language [" + language + "]");
    }
}
