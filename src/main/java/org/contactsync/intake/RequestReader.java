package org.contactsync.intake;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.List;
import java.util.Locale;

/**
 * Reads a {@code POST /donors} request into its donors, or refuses it as a whole, before anything is stored: a body that
 * is not JSON (415), larger than {@code sync.intake.max-bytes} or with more than {@code sync.intake.max-items} donors
 * (413), empty, not text in its charset, malformed, or without donors (400).
 */
public class RequestReader {

    private final DonorParser parser;
    private final long maxBytes;
    private final int maxItems;

    public RequestReader(DonorParser parser, long maxBytes, int maxItems) {
        this.parser = parser;
        this.maxBytes = maxBytes;
        this.maxItems = maxItems;
    }

    public List<DonorInput> read(byte[] body, String contentType, String origin) {
        return parser.parseJson(text(body, charset(contentType)), origin, maxItems);
    }

    /**
     * A preview's body: what {@code POST /donors} takes, or a CSV file with a header row as the inbox takes it
     * ({@code text/csv}, UTF-8 unless its charset says otherwise), within the same limits, so the preview reads exactly the
     * donors intake would.
     */
    public List<DonorInput> readPreview(byte[] body, String contentType, String origin) {
        String type = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (!type.equals("text/csv")) {
            return read(body, contentType, origin);
        }
        List<DonorInput> donors = parser.parseCsv(text(body, charsetParameter(contentType)), origin);
        if (donors.size() > maxItems) {
            throw new IntakeRefusedException(413, donors.size() + " donors in one request, more than sync.intake.max-items (" + maxItems
                    + "): preview them in smaller files");
        }
        return donors;
    }

    /** The body as text, within sync.intake.max-bytes, without a byte-order mark. */
    private String text(byte[] body, Charset charset) {
        if (body == null || body.length == 0) {
            throw new IntakeRefusedException(400, "no donors: the body is empty");
        }
        if (body.length > maxBytes) {
            throw new IntakeRefusedException(413, "the body is " + body.length + " bytes, more than sync.intake.max-bytes (" + maxBytes
                    + "): send the donors in smaller requests, or as a file");
        }
        String text;
        try {
            text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new IntakeRefusedException(400, "the body is not " + charset.name() + " text");
        }
        // a byte-order mark is not JSON, nor a CSV column's name, but harmless
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** JSON is UTF-8 unless the Content-Type names another charset; a type that is not JSON is refused (415). */
    private static Charset charset(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return StandardCharsets.UTF_8;
        }
        String type = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw new IntakeRefusedException(415, "expected Content-Type application/json, found " + quote(contentType.split(";")[0].strip()));
        }
        return charsetParameter(contentType);
    }

    /** The Content-Type's charset parameter; UTF-8 without one. */
    private static Charset charsetParameter(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter.length == 2 && parameter[0].strip().equalsIgnoreCase("charset")) {
                String name = parameter[1].strip().replace("\"", "");
                try {
                    return Charset.forName(name);
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    throw new IntakeRefusedException(415, "unknown charset " + quote(name) + ": send UTF-8");
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private static String quote(String text) {
        return "'" + (text.length() > 100 ? text.substring(0, 100) + "..." : text) + "'";
    }
}
