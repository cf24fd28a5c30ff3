package io.latentflow.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version of the CLI jar (from its manifest), or "development" when run from classes. */
public final class LatentflowVersion implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = LatentflowVersion.class.getPackage().getImplementationVersion();
        return new String[] {"latentflow " + (version == null ? "development" : version)};
    }
}
