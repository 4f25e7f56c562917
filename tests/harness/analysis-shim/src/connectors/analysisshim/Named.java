package connectors.analysisshim;

import java.io.Reader;
import java.util.function.Function;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;

/** Small factories that pair a configured name with a stream-wrapping function. */
final class Named {
    private Named() {}

    static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> wrap) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return wrap.apply(in);
            }
        };
    }

    /** A filter that only changes characters of a token, so it may also run in normalizers. */
    static TokenFilterFactory normalizingFilter(String name, Function<TokenStream, TokenStream> wrap) {
        return new NormalizingTokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return wrap.apply(in);
            }
        };
    }

    static CharFilterFactory charFilter(String name, Function<Reader, Reader> wrap) {
        return new CharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader in) {
                return wrap.apply(in);
            }
        };
    }

    static CharFilterFactory normalizingCharFilter(String name, Function<Reader, Reader> wrap) {
        return new NormalizingCharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader in) {
                return wrap.apply(in);
            }
        };
    }
}
