package org.consentrecorder.ari;

/**
 * Where a call goes back into the dialplan. {@link #NEXT_PRIORITY} means "the priority after
 * Stasis()", which lets an existing dialplan keep routing the call itself.
 */
public record ContinueTarget(String context, String extension, Integer priority) {
    public static final ContinueTarget NEXT_PRIORITY = new ContinueTarget(null, null, null);

    public boolean isNextPriority() {
        return context == null && extension == null && priority == null;
    }

    /** Parses "context,extension,priority" (Asterisk's own notation); priority defaults to 1. */
    public static ContinueTarget parse(String spec) {
        String[] parts = spec.split(",", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("expected context,extension[,priority]");
        }
        String context = parts[0].trim();
        String extension = parts[1].trim();
        if (context.isEmpty() || extension.isEmpty()) {
            throw new IllegalArgumentException("context and extension must not be empty");
        }
        if (!context.matches("[A-Za-z0-9_\\-.+]+") || !extension.matches("[A-Za-z0-9_\\-.+*#]+")) {
            throw new IllegalArgumentException("context and extension may only contain letters, digits and _-.+*#");
        }
        int priority = 1;
        if (parts.length == 3 && !parts[2].isBlank()) {
            try {
                priority = Integer.parseInt(parts[2].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("priority must be a number");
            }
            if (priority < 1) {
                throw new IllegalArgumentException("priority must be 1 or more");
            }
        }
        return new ContinueTarget(context, extension, priority);
    }

    @Override
    public String toString() {
        return isNextPriority() ? "next priority" : context + "," + extension + "," + priority;
    }
}
