package org.contactsync.sandbox;

/**
 * The two error body shapes Virtuous is known for: the ASP.NET {@code {"message", "modelState"}} bodies observed on the
 * live API, and the {@code {"error": {"code", "message", "details"}}} shape its docs say the API is migrating to.
 */
enum ErrorStyle {
    LEGACY, TARGET;

    static ErrorStyle parse(String name) {
        for (ErrorStyle style : values()) {
            if (name != null && style.name().equalsIgnoreCase(name.trim())) {
                return style;
            }
        }
        throw new IllegalArgumentException("errorStyle must be 'legacy' or 'target', not '" + name + "'");
    }
}
