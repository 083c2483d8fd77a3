package dev.dabba.billing;

import picocli.CommandLine;

/** What the billing commands share: how failures of the store are reported. */
final class Commands {

    private Commands() {
    }

    /** {@code commandLine} with store failures printed as {@code name: message} and exit code {@code storeError}. */
    static CommandLine withStoreErrors(CommandLine commandLine, String name, int storeError) {
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            if (e instanceof CommandLine.ParameterException) {
                return usageError(cl, e);
            }
            if (e instanceof BillStoreException) {
                cl.getErr().println(name + ": " + e.getMessage());
            } else {
                cl.getErr().println(name + ": unexpected failure: " + e);
            }
            cl.getErr().flush();
            return storeError;
        });
        return commandLine;
    }

    /** Prints a parameter problem found while running, as picocli does for parse errors; returns exit code 2. */
    static int usageError(CommandLine cl, Exception e) {
        cl.getErr().println(e.getMessage());
        cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        cl.getErr().flush();
        return 2;
    }
}
