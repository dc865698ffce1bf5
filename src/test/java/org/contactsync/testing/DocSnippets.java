package org.contactsync.testing;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced examples of one section of a docs page, for the tests that run what the page shows: a snippet a test uses
 * or finds in the files it builds cannot drift from what the host really needs.
 */
public final class DocSnippets {

    private static final Pattern HEADING = Pattern.compile("(#{1,6})[ \\t]+(.*)");

    private DocSnippets() {
    }

    /** The bodies of the {@code language} fences under the heading {@code heading} (up to the next heading of its level or above). */
    public static List<String> blocks(Path page, String heading, String language) throws IOException {
        List<String> blocks = new ArrayList<>();
        int level = 0;
        boolean inSection = false;
        StringBuilder block = null;
        String fence = null;
        for (String line : Files.readAllLines(page)) {
            Matcher title = HEADING.matcher(line);
            if (fence == null && title.matches()) {
                int depth = title.group(1).length();
                if (title.group(2).strip().equals(heading)) {
                    inSection = true;
                    level = depth;
                } else if (inSection && depth <= level) {
                    break;
                }
            } else if (fence == null && line.startsWith("```")) {
                fence = line.substring(3).strip();
                block = new StringBuilder();
            } else if (fence != null && line.startsWith("```")) {
                if (inSection && fence.equals(language)) {
                    blocks.add(block.toString());
                }
                fence = null;
            } else if (fence != null) {
                block.append(line).append('\n');
            }
        }
        if (blocks.isEmpty()) {
            throw new AssertionError(page + " has no " + language + " example under '" + heading + "'");
        }
        return blocks;
    }

    /** The settings of the section's {@code properties} fences, read as Camel and Spring read application.properties. */
    public static Properties properties(Path page, String heading) throws IOException {
        Properties settings = new Properties();
        for (String block : blocks(page, heading, "properties")) {
            settings.load(new StringReader(block));
        }
        return settings;
    }

    /** The lines of the section's {@code language} fences, stripped, without the blank ones. */
    public static List<String> lines(Path page, String heading, String language) throws IOException {
        return blocks(page, heading, language).stream().flatMap(String::lines).map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
