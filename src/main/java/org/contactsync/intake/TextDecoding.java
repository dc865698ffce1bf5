package org.contactsync.intake;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;

/**
 * How a dropped file's bytes become text ({@code sync.inbox.charset}): {@code auto} reads a byte-order mark (UTF-8,
 * UTF-16), else UTF-8 when the bytes are valid UTF-8, else Windows-1252 (the superset of Latin-1 that spreadsheet exports
 * on Windows write); a charset name reads every file without a byte-order mark in that charset. A byte-order mark wins, and
 * never reaches the parser, where it would become part of the first column's name.
 */
public final class TextDecoding {

    private static final String AUTO = "auto";
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /** Null for {@code auto}. */
    private final Charset declared;

    private TextDecoding(Charset declared) {
        this.declared = declared;
    }

    /** The setting's decoding; an unknown charset stops the start with the key's name. */
    public static TextDecoding of(String setting, String value) {
        if (value.equalsIgnoreCase(AUTO)) {
            return new TextDecoding(null);
        }
        try {
            return new TextDecoding(Charset.forName(value));
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new IllegalArgumentException(setting + ": '" + value + "' is neither auto nor a charset this JVM knows");
        }
    }

    public String decode(byte[] bytes) {
        if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
            return new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        }
        if (startsWith(bytes, 0xFE, 0xFF)) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE);
        }
        if (startsWith(bytes, 0xFF, 0xFE)) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        }
        if (declared != null) {
            return new String(bytes, declared);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(bytes, WINDOWS_1252);
        }
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
