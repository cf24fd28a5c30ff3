package io.latentflow.deploy;

/** Values read from a Prometheus text exposition, as a service's /q/metrics answers it. */
public final class PrometheusText {

    private PrometheusText() {
    }

    /**
     * The sum of the values of the series {@code name} whose labels include {@code label} ("" for any): lines
     * "name value" or "name{labels} value", possibly followed by an exemplar (" # {labels} value timestamp").
     */
    public static double sum(String exposition, String name, String label) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String rest = line.substring(name.length());
            String labels = "";
            if (rest.startsWith("{")) {
                labels = rest.substring(0, rest.indexOf('}') + 1);
                rest = rest.substring(labels.length());
            }
            if (labels.contains(label)) {
                total += Double.parseDouble(rest.trim().split(" ")[0]);
            }
        }
        return total;
    }
}
