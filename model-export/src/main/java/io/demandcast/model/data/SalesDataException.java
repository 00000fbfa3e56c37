package io.demandcast.model.data;

/** A sales file that cannot be read as asked: the message names the file, and the line and column where known. */
public class SalesDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SalesDataException(String message) {
        super(message);
    }
}
