package dev.sessionops.claude.history;

/** Redis could not be reached or answered with an error; the caller retries later, nothing was half-written. */
public class HistoryStoreUnavailableException extends RuntimeException {
    public HistoryStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
