package connectors.analysisshim;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.path.PathHierarchyTokenizer;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/** Tokenizers by their Elasticsearch type names. */
final class Tokenizers {
    private Tokenizers() {}

    static Map<String, AnalysisProvider<TokenizerFactory>> all() {
        Map<String, AnalysisProvider<TokenizerFactory>> tokenizers = new TreeMap<>();
        tokenizers.put("whitespace", (index, env, name, s) -> TokenizerFactory.newFactory(name, WhitespaceTokenizer::new));
        tokenizers.put("keyword", (index, env, name, s) -> TokenizerFactory.newFactory(name, KeywordTokenizer::new));
        tokenizers.put("letter", (index, env, name, s) -> TokenizerFactory.newFactory(name, LetterTokenizer::new));
        tokenizers.put("classic", (index, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> {
                ClassicTokenizer tokenizer = new ClassicTokenizer();
                tokenizer.setMaxTokenLength(max);
                return tokenizer;
            });
        });
        tokenizers.put("uax_url_email", (index, env, name, s) -> {
            int max = s.getAsInt("max_token_length", 255);
            return TokenizerFactory.newFactory(name, () -> {
                UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
                tokenizer.setMaxTokenLength(max);
                return tokenizer;
            });
        });
        tokenizers.put("path_hierarchy", (index, env, name, s) -> {
            char delimiter = s.get("delimiter", "/").charAt(0);
            return TokenizerFactory.newFactory(name, () -> new PathHierarchyTokenizer(delimiter, delimiter));
        });
        tokenizers.put("pattern", (index, env, name, s) -> {
            Pattern pattern = Pattern.compile(s.get("pattern", "\\W+"));
            int group = s.getAsInt("group", -1);
            return TokenizerFactory.newFactory(name, () -> new PatternTokenizer(pattern, group));
        });
        tokenizers.put("ngram", (index, env, name, s) -> ngram(name, s, false));
        tokenizers.put("edge_ngram", (index, env, name, s) -> ngram(name, s, true));
        return tokenizers;
    }

    /** N-gram tokenizers that, like Elasticsearch's, split on characters outside `token_chars`. */
    private static TokenizerFactory ngram(String name, Settings s, boolean edge) {
        int min = s.getAsInt("min_gram", 1);
        int max = s.getAsInt("max_gram", 2);
        List<String> tokenChars = s.getAsList("token_chars");
        return TokenizerFactory.newFactory(name, () -> newNgram(edge, min, max, tokenChars));
    }

    private static Tokenizer newNgram(boolean edge, int min, int max, List<String> tokenChars) {
        if (tokenChars.isEmpty()) {
            return edge ? new EdgeNGramTokenizer(min, max) : new NGramTokenizer(min, max);
        }
        if (edge) {
            return new EdgeNGramTokenizer(min, max) {
                @Override
                protected boolean isTokenChar(int c) {
                    return matches(tokenChars, c);
                }
            };
        }
        return new NGramTokenizer(min, max) {
            @Override
            protected boolean isTokenChar(int c) {
                return matches(tokenChars, c);
            }
        };
    }

    private static boolean matches(List<String> tokenChars, int c) {
        for (String kind : tokenChars) {
            boolean hit = switch (kind) {
                case "letter" -> Character.isLetter(c);
                case "digit" -> Character.isDigit(c);
                case "whitespace" -> Character.isWhitespace(c);
                case "punctuation" -> isPunctuation(Character.getType(c));
                case "symbol" -> isSymbol(Character.getType(c));
                default -> throw new IllegalArgumentException("ngram tokenizer: unknown token_chars [" + kind + "]");
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPunctuation(int type) {
        return type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
            || type == Character.OTHER_PUNCTUATION || type == Character.CONNECTOR_PUNCTUATION
            || type == Character.DASH_PUNCTUATION || type == Character.INITIAL_QUOTE_PUNCTUATION
            || type == Character.FINAL_QUOTE_PUNCTUATION;
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
            || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
    }
}
