package connectors.analysisshim;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/** Character filters by their Elasticsearch type names. */
final class CharFilters {
    private CharFilters() {}

    static Map<String, AnalysisProvider<CharFilterFactory>> all() {
        Map<String, AnalysisProvider<CharFilterFactory>> filters = new TreeMap<>();
        filters.put("html_strip", (index, env, name, s) -> {
            Set<String> escaped = new HashSet<>(s.getAsList("escaped_tags"));
            return Named.charFilter(name, in -> new HTMLStripCharFilter(in, escaped));
        });
        filters.put("pattern_replace", requiresAnalysisSettings((index, env, name, s) -> {
            Pattern pattern = Pattern.compile(s.get("pattern", ""));
            String replacement = s.get("replacement", "");
            return Named.normalizingCharFilter(name, in -> new PatternReplaceCharFilter(pattern, replacement, in));
        }));
        filters.put("mapping", requiresAnalysisSettings((index, env, name, s) -> {
            NormalizeCharMap.Builder builder = new NormalizeCharMap.Builder();
            for (String rule : s.getAsList("mappings")) {
                int arrow = rule.indexOf("=>");
                if (arrow < 0) {
                    throw new IllegalArgumentException("mapping char filter [" + name + "]: rule without => [" + rule + "]");
                }
                builder.add(rule.substring(0, arrow).trim(), rule.substring(arrow + 2).trim());
            }
            NormalizeCharMap map = builder.build();
            return Named.normalizingCharFilter(name, in -> new MappingCharFilter(map, in));
        }));
        return filters;
    }
}
