package org.contactsync.intake;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Turns what a platform sends (a JSON object, a JSON array, a CSV file with a header row) into one
 * {@link DonorInput} per donor. A donor that cannot be read becomes an unreadable input rather than an
 * exception, so the rest of its file or request goes on.
 */
public class DonorParser {

    /** CSV columns named {@code customFields.<name>} fill the Transaction's customFields map. */
    private static final String CUSTOM_FIELD_COLUMN = "customFields.";

    private final ObjectMapper json = new ObjectMapper();

    public List<DonorInput> parseFile(String content, String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".csv") ? parseCsv(content, fileName) : parseJson(content, fileName);
    }

    public List<DonorInput> parseJson(String content, String origin) {
        JsonNode root;
        try {
            root = json.readTree(content);
        } catch (JsonProcessingException e) {
            return List.of(DonorInput.unreadable(content, origin, "malformed JSON: " + e.getOriginalMessage()));
        }
        if (root == null || !(root.isObject() || root.isArray())) {
            return List.of(DonorInput.unreadable(content, origin, "expected a JSON object or an array of objects"));
        }
        if (root.isObject()) {
            return List.of(fromJson(root, origin));
        }
        List<DonorInput> donors = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            String itemOrigin = origin + " item " + (i + 1);
            donors.add(item.isObject() ? fromJson(item, itemOrigin)
                    : DonorInput.unreadable(item.toString(), itemOrigin, "expected a JSON object, found " + item.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return donors;
    }

    private DonorInput fromJson(JsonNode node, String origin) {
        return DonorInput.parsed(json.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() { }), node.toString(), origin);
    }

    public List<DonorInput> parseCsv(String content, String origin) {
        List<DonorInput> donors = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).setIgnoreEmptyLines(true).build();
        try (CSVParser parser = CSVParser.parse(new StringReader(content), format)) {
            List<String> header = parser.getHeaderNames();
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
        } catch (IOException | IllegalArgumentException e) {
            donors.add(DonorInput.unreadable(content, origin, "malformed CSV header: " + e.getMessage()));
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
