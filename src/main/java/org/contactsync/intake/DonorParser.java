package org.contactsync.intake;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Turns what a platform sends (a JSON object, a JSON array, a CSV file with a header row, or a Camel source's Map or
 * List) into one {@link DonorInput} per donor. A donor that cannot be read becomes an unreadable input rather than an
 * exception, so the rest of its delivery goes on. A delivery in which no donor can be read at all (empty, not JSON, not
 * text, no donors) is refused as a whole with an {@link IntakeRefusedException}, and nothing of it is stored.
 */
public class DonorParser {

    /** CSV columns named {@code customFields.<name>} fill the Transaction's customFields map. */
    private static final String CUSTOM_FIELD_COLUMN = "customFields.";

    // trailing text fails the delivery: an object followed by more is not one donor with the rest ignored
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final TextDecoding fileText;

    public DonorParser(TextDecoding fileText) {
        this.fileText = fileText;
    }

    /** A dropped file: CSV by its {@code .csv} name, else JSON; its bytes decoded as {@code sync.inbox.charset} says. */
    public List<DonorInput> parseFile(byte[] content, String fileName) {
        String text = fileText.decode(content);
        if (text.isBlank()) {
            throw new IntakeRefusedException(400, "empty file");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IntakeRefusedException(400, "not a text file: it holds NUL bytes (binary, or UTF-16 without a byte-order mark)");
        }
        return fileName.toLowerCase(Locale.ROOT).endsWith(".csv") ? parseCsv(text, fileName) : parseJson(text, fileName, Integer.MAX_VALUE);
    }

    /** A JSON object (one donor) or an array of donors; more than {@code maxItems} is refused with 413. */
    public List<DonorInput> parseJson(String content, String origin, int maxItems) {
        JsonNode root;
        try {
            root = json.readTree(content);
        } catch (JsonProcessingException e) {
            throw new IntakeRefusedException(400, "malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new IntakeRefusedException(400, "no donors: the body is empty");
        }
        if (root.isObject()) {
            return List.of(fromJson(root, origin));
        }
        if (!root.isArray()) {
            throw new IntakeRefusedException(400, "expected a JSON object (one donor) or an array of donors, found " + typeOf(root));
        }
        if (root.isEmpty()) {
            throw new IntakeRefusedException(400, "no donors: the array is empty");
        }
        if (root.size() > maxItems) {
            throw new IntakeRefusedException(413, root.size() + " donors in one request, more than sync.intake.max-items (" + maxItems
                    + "): send them in smaller requests, or as a file");
        }
        List<DonorInput> donors = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            String itemOrigin = origin + " item " + (i + 1);
            donors.add(item.isObject() ? fromJson(item, itemOrigin)
                    : DonorInput.unreadable(item.toString(), itemOrigin, "expected a JSON object, found " + typeOf(item)));
        }
        return donors;
    }

    /**
     * What the front door was handed by any Camel source: a {@link DonorInput}, a Map (one donor), a List (or any
     * Collection) of Maps and DonorInputs, or JSON text. Anything else is refused as a whole.
     */
    public List<DonorInput> delivery(Object body, String origin) {
        if (body instanceof DonorInput donor) {
            return List.of(readable(donor));
        }
        if (body instanceof Map<?, ?> map) {
            return List.of(fromMap(map, origin));
        }
        if (body instanceof Collection<?> items) {
            if (items.isEmpty()) {
                throw new IntakeRefusedException(400, "no donors: the list is empty");
            }
            List<DonorInput> donors = new ArrayList<>();
            int number = 0;
            for (Object item : items) {
                String itemOrigin = origin + " item " + ++number;
                donors.add(item instanceof DonorInput donor ? readable(donor) : item instanceof Map<?, ?> map ? fromMap(map, itemOrigin)
                        : DonorInput.unreadable(String.valueOf(item), itemOrigin, "expected a donor (a Map or a DonorInput), found "
                                + (item == null ? "null" : item.getClass().getSimpleName())));
            }
            return donors;
        }
        if (body instanceof String text) {
            return parseJson(text, origin, Integer.MAX_VALUE);
        }
        throw new IntakeRefusedException(400, body == null ? "no donors: the body is empty"
                : "expected JSON text, a Map (one donor), or a List of Maps or DonorInputs, found " + body.getClass().getName());
    }

    private DonorInput fromJson(JsonNode node, String origin) {
        return DonorInput.parsed(json.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() { }), node.toString(), origin);
    }

    private DonorInput fromMap(Map<?, ?> map, String origin) {
        Map<String, Object> fields = new LinkedHashMap<>();
        map.forEach((name, value) -> fields.put(String.valueOf(name), value));
        return DonorInput.parsed(fields, text(fields), origin);
    }

    /** The text the dead letter keeps of a donor handed over as fields. */
    private String text(Map<String, Object> fields) {
        try {
            return json.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            // a value Jackson cannot write (a source's own object): the dead letter keeps what it can show
            return fields.toString();
        }
    }

    /** A DonorInput made by hand: without fields it is an unreadable one, without its text it gets its fields as JSON. */
    private DonorInput readable(DonorInput donor) {
        if (donor.fields() == null && donor.parseError() == null) {
            return DonorInput.unreadable(String.valueOf(donor.rawText()), donor.origin(), "a DonorInput without fields");
        }
        if (donor.rawText() == null) {
            return new DonorInput(donor.fields(), donor.fields() == null ? "" : text(donor.fields()), donor.origin(), donor.parseError());
        }
        return donor;
    }

    private static String typeOf(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    public List<DonorInput> parseCsv(String content, String origin) {
        List<DonorInput> donors = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).setIgnoreEmptyLines(true).build();
        CSVParser parser;
        List<String> header;
        try {
            parser = CSVParser.parse(new StringReader(content), format);
            header = parser.getHeaderNames();
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            throw new IntakeRefusedException(400, "malformed CSV header: " + e.getMessage());
        }
        try (parser) {
            Iterator<CSVRecord> records = parser.iterator();
            long lastPosition = -1;
            while (true) {
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    record = records.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    // a broken quote makes the rest of the file unreadable as CSV; keep it whole for the dead letter
                    String rest = lastPosition < 0 ? content : content.substring((int) Math.min(lastPosition, content.length()));
                    donors.add(DonorInput.unreadable(rest, origin, "malformed CSV after line " + parser.getCurrentLineNumber() + ": " + e.getMessage()));
                    break;
                }
                lastPosition = record.getCharacterPosition();
                donors.add(fromCsv(record, header, content, origin));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (donors.isEmpty()) {
            throw new IntakeRefusedException(400, "no donors: a header row and no donor rows");
        }
        return donors;
    }

    private DonorInput fromCsv(CSVRecord record, List<String> header, String content, String origin) {
        String rawLine = rawLine(content, record.getCharacterPosition());
        String lineOrigin = origin + " line " + record.getParser().getCurrentLineNumber();
        if (record.size() != header.size()) {
            return DonorInput.unreadable(rawLine, lineOrigin, "expected " + header.size() + " columns, found " + record.size());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        Map<String, Object> customFields = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String value = record.get(i);
            if (value.isEmpty()) {
                continue;
            }
            String column = header.get(i);
            if (column.startsWith(CUSTOM_FIELD_COLUMN)) {
                customFields.put(column.substring(CUSTOM_FIELD_COLUMN.length()), value);
            } else {
                fields.put(column, value);
            }
        }
        if (!customFields.isEmpty()) {
            fields.put("customFields", customFields);
        }
        return DonorInput.parsed(fields, rawLine, lineOrigin);
    }

    private static String rawLine(String content, long position) {
        int start = (int) position;
        int end = content.indexOf('\n', start);
        return (end < 0 ? content.substring(start) : content.substring(start, end)).strip();
    }
}
