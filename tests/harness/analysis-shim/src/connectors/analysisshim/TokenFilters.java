package connectors.analysisshim;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.classic.ClassicFilter;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.tr.ApostropheFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/** Token filters by their Elasticsearch type names; settings follow Elasticsearch's docs. */
final class TokenFilters {
    private TokenFilters() {}

    static Map<String, AnalysisProvider<TokenFilterFactory>> all() {
        Map<String, AnalysisProvider<TokenFilterFactory>> filters = new TreeMap<>();
        filters.put("lowercase", (index, env, name, s) -> lowercase(name, s.get("language")));
        filters.put("uppercase", (index, env, name, s) -> Named.normalizingFilter(name, UpperCaseFilter::new));
        filters.put("asciifolding", (index, env, name, s) -> {
            boolean preserve = s.getAsBoolean("preserve_original", false);
            return preserve
                ? Named.filter(name, in -> new ASCIIFoldingFilter(in, true))
                : Named.normalizingFilter(name, in -> new ASCIIFoldingFilter(in, false));
        });
        filters.put("cjk_width", (index, env, name, s) -> Named.normalizingFilter(name, CJKWidthFilter::new));
        filters.put("cjk_bigram", (index, env, name, s) -> cjkBigram(name, s));
        filters.put("decimal_digit", (index, env, name, s) -> Named.normalizingFilter(name, DecimalDigitFilter::new));
        filters.put("trim", (index, env, name, s) -> Named.normalizingFilter(name, TrimFilter::new));
        filters.put("apostrophe", (index, env, name, s) -> Named.filter(name, ApostropheFilter::new));
        filters.put("classic", (index, env, name, s) -> Named.filter(name, ClassicFilter::new));
        filters.put("reverse", (index, env, name, s) -> Named.filter(name, ReverseStringFilter::new));
        filters.put("porter_stem", (index, env, name, s) -> Named.filter(name, PorterStemFilter::new));
        filters.put("kstem", (index, env, name, s) -> Named.filter(name, KStemFilter::new));
        filters.put("truncate", (index, env, name, s) -> {
            int length = s.getAsInt("length", 10);
            return Named.filter(name, in -> new TruncateTokenFilter(in, length));
        });
        filters.put("length", (index, env, name, s) -> {
            int min = s.getAsInt("min", 0);
            int max = s.getAsInt("max", Integer.MAX_VALUE);
            return Named.filter(name, in -> new LengthFilter(in, min, max));
        });
        filters.put("unique", (index, env, name, s) -> {
            boolean samePosition = s.getAsBoolean("only_on_same_position", false);
            return Named.filter(name, in -> new UniqueTokenFilter(in, samePosition));
        });
        filters.put("remove_duplicates", (index, env, name, s) -> Named.filter(name, RemoveDuplicatesTokenFilter::new));
        filters.put("edge_ngram", (index, env, name, s) -> edgeNgram(name, s));
        filters.put("edgeNGram", (index, env, name, s) -> edgeNgram(name, s));
        filters.put("ngram", (index, env, name, s) -> {
            int min = s.getAsInt("min_gram", 1);
            int max = s.getAsInt("max_gram", 2);
            boolean preserve = s.getAsBoolean("preserve_original", false);
            return Named.filter(name, in -> new NGramTokenFilter(in, min, max, preserve));
        });
        filters.put("word_delimiter_graph", (index, env, name, s) -> {
            int flags = wordDelimiterFlags(s);
            CharArraySet protectedWords = Analysis.getWordSet(env, s, "protected_words");
            return Named.filter(name, in -> new WordDelimiterGraphFilter(in, flags, protectedWords));
        });
        filters.put("word_delimiter", (index, env, name, s) -> {
            int flags = wordDelimiterFlags(s);
            CharArraySet protectedWords = Analysis.getWordSet(env, s, "protected_words");
            return Named.filter(name, in -> new WordDelimiterFilter(in, flags, protectedWords));
        });
        filters.put("stemmer", (index, env, name, s) -> Stemmers.filter(name, s));
        filters.put("snowball", (index, env, name, s) -> {
            String language = s.get("language", "English");
            return Named.filter(name, in -> new SnowballFilter(in, language));
        });
        filters.put("elision", requiresAnalysisSettings((index, env, name, s) -> {
            CharArraySet articles = Analysis.parseArticles(env, s);
            if (articles == null) {
                throw new IllegalArgumentException("elision filter [" + name + "] needs [articles]");
            }
            return Named.normalizingFilter(name, in -> new ElisionFilter(in, articles));
        }));
        filters.put("pattern_capture", requiresAnalysisSettings((index, env, name, s) -> {
            List<String> regexes = s.getAsList("patterns");
            if (regexes.isEmpty()) {
                throw new IllegalArgumentException("pattern_capture filter [" + name + "] needs [patterns]");
            }
            Pattern[] patterns = regexes.stream().map(Pattern::compile).toArray(Pattern[]::new);
            boolean preserve = s.getAsBoolean("preserve_original", true);
            return Named.filter(name, in -> new PatternCaptureGroupTokenFilter(in, preserve, patterns));
        }));
        return filters;
    }

    private static TokenFilterFactory lowercase(String name, String language) {
        if (language == null) {
            return Named.normalizingFilter(name, LowerCaseFilter::new);
        }
        switch (language) {
            case "greek":
                return Named.normalizingFilter(name, GreekLowerCaseFilter::new);
            case "irish":
                return Named.normalizingFilter(name, IrishLowerCaseFilter::new);
            case "turkish":
                return Named.normalizingFilter(name, TurkishLowerCaseFilter::new);
            default:
                throw new IllegalArgumentException("lowercase filter [" + name + "]: unknown language [" + language + "]");
        }
    }

    private static TokenFilterFactory edgeNgram(String name, Settings s) {
        int min = s.getAsInt("min_gram", 1);
        int max = s.getAsInt("max_gram", 2);
        boolean preserve = s.getAsBoolean("preserve_original", false);
        return Named.filter(name, in -> new EdgeNGramTokenFilter(in, min, max, preserve));
    }

    private static TokenFilterFactory cjkBigram(String name, Settings s) {
        int flags = CJKBigramFilter.HAN | CJKBigramFilter.HIRAGANA | CJKBigramFilter.KATAKANA | CJKBigramFilter.HANGUL;
        for (String script : s.getAsList("ignored_scripts")) {
            switch (script) {
                case "han" -> flags &= ~CJKBigramFilter.HAN;
                case "hiragana" -> flags &= ~CJKBigramFilter.HIRAGANA;
                case "katakana" -> flags &= ~CJKBigramFilter.KATAKANA;
                case "hangul" -> flags &= ~CJKBigramFilter.HANGUL;
                default -> throw new IllegalArgumentException("cjk_bigram filter [" + name + "]: unknown script [" + script + "]");
            }
        }
        int scripts = flags;
        boolean unigrams = s.getAsBoolean("output_unigrams", false);
        return Named.filter(name, in -> new CJKBigramFilter(in, scripts, unigrams));
    }

    /** Flag constants are shared by WordDelimiterFilter and WordDelimiterGraphFilter. */
    private static int wordDelimiterFlags(Settings s) {
        int flags = 0;
        flags |= flag(s, "generate_word_parts", true, WordDelimiterGraphFilter.GENERATE_WORD_PARTS);
        flags |= flag(s, "generate_number_parts", true, WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS);
        flags |= flag(s, "catenate_words", false, WordDelimiterGraphFilter.CATENATE_WORDS);
        flags |= flag(s, "catenate_numbers", false, WordDelimiterGraphFilter.CATENATE_NUMBERS);
        flags |= flag(s, "catenate_all", false, WordDelimiterGraphFilter.CATENATE_ALL);
        flags |= flag(s, "split_on_case_change", true, WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE);
        flags |= flag(s, "preserve_original", false, WordDelimiterGraphFilter.PRESERVE_ORIGINAL);
        flags |= flag(s, "split_on_numerics", true, WordDelimiterGraphFilter.SPLIT_ON_NUMERICS);
        flags |= flag(s, "stem_english_possessive", true, WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE);
        return flags;
    }

    private static int flag(Settings s, String key, boolean fallback, int bit) {
        return s.getAsBoolean(key, fallback) ? bit : 0;
    }
}
