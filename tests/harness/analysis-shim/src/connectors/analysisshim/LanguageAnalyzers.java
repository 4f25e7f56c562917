package connectors.analysisshim;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/**
 * Lucene's prebuilt language analyzers under Elasticsearch's names (`english`, `french`...),
 * honouring the `stopwords` and `stem_exclusion` settings where the Lucene class takes them.
 */
final class LanguageAnalyzers {
    private LanguageAnalyzers() {}

    private static final Map<String, String> CLASSES = Map.ofEntries(
        Map.entry("arabic", "ar.ArabicAnalyzer"),
        Map.entry("armenian", "hy.ArmenianAnalyzer"),
        Map.entry("basque", "eu.BasqueAnalyzer"),
        Map.entry("bengali", "bn.BengaliAnalyzer"),
        Map.entry("brazilian", "br.BrazilianAnalyzer"),
        Map.entry("bulgarian", "bg.BulgarianAnalyzer"),
        Map.entry("catalan", "ca.CatalanAnalyzer"),
        Map.entry("cjk", "cjk.CJKAnalyzer"),
        Map.entry("czech", "cz.CzechAnalyzer"),
        Map.entry("danish", "da.DanishAnalyzer"),
        Map.entry("dutch", "nl.DutchAnalyzer"),
        Map.entry("english", "en.EnglishAnalyzer"),
        Map.entry("estonian", "et.EstonianAnalyzer"),
        Map.entry("finnish", "fi.FinnishAnalyzer"),
        Map.entry("french", "fr.FrenchAnalyzer"),
        Map.entry("galician", "gl.GalicianAnalyzer"),
        Map.entry("german", "de.GermanAnalyzer"),
        Map.entry("greek", "el.GreekAnalyzer"),
        Map.entry("hindi", "hi.HindiAnalyzer"),
        Map.entry("hungarian", "hu.HungarianAnalyzer"),
        Map.entry("indonesian", "id.IndonesianAnalyzer"),
        Map.entry("irish", "ga.IrishAnalyzer"),
        Map.entry("italian", "it.ItalianAnalyzer"),
        Map.entry("latvian", "lv.LatvianAnalyzer"),
        Map.entry("lithuanian", "lt.LithuanianAnalyzer"),
        Map.entry("norwegian", "no.NorwegianAnalyzer"),
        Map.entry("persian", "fa.PersianAnalyzer"),
        Map.entry("portuguese", "pt.PortugueseAnalyzer"),
        Map.entry("romanian", "ro.RomanianAnalyzer"),
        Map.entry("russian", "ru.RussianAnalyzer"),
        Map.entry("serbian", "sr.SerbianAnalyzer"),
        Map.entry("sorani", "ckb.SoraniAnalyzer"),
        Map.entry("spanish", "es.SpanishAnalyzer"),
        Map.entry("swedish", "sv.SwedishAnalyzer"),
        Map.entry("thai", "th.ThaiAnalyzer"),
        Map.entry("turkish", "tr.TurkishAnalyzer")
    );

    static Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> all() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers = new TreeMap<>();
        for (Map.Entry<String, String> entry : CLASSES.entrySet()) {
            String className = "org.apache.lucene.analysis." + entry.getValue();
            analyzers.put(entry.getKey(), (index, env, name, s) -> provider(className, env, name, s));
        }
        return analyzers;
    }

    private static AnalyzerProvider<Analyzer> provider(String className, Environment env, String name, Settings s) {
        Analyzer analyzer = build(className, env, s);
        return new AbstractIndexAnalyzerProvider<>(name, s) {
            @Override
            public Analyzer get() {
                return analyzer;
            }
        };
    }

    private static Analyzer build(String className, Environment env, Settings s) {
        try {
            Class<? extends Analyzer> type = Class.forName(className, true, Analyzer.class.getClassLoader())
                .asSubclass(Analyzer.class);
            Method defaults = type.getMethod("getDefaultStopSet");
            CharArraySet stopwords = Analysis.parseStopWords(env, s, (CharArraySet) defaults.invoke(null));
            CharArraySet stemExclusion = Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET);
            try {
                Constructor<? extends Analyzer> full = type.getConstructor(CharArraySet.class, CharArraySet.class);
                return full.newInstance(stopwords, stemExclusion);
            } catch (NoSuchMethodException e) {
                return type.getConstructor(CharArraySet.class).newInstance(stopwords);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build analyzer " + className, e);
        }
    }
}
