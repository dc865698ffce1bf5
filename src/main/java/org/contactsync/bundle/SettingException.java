package org.contactsync.bundle;

/**
 * A setting the bundle cannot start with. The message is the one line an operator needs: the key, its value (a
 * secret's as {@code ***}) and the rule it breaks. The launcher prints only that line; a host runtime gets this
 * exception from the bundle's RoutesBuilder, before anything of the bundle is built.
 */
public class SettingException extends RuntimeException {

    public SettingException(String message) {
        super(message);
    }

    public SettingException(String message, Throwable cause) {
        super(message, cause);
    }
}
