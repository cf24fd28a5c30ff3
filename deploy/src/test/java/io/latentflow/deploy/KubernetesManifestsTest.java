package io.latentflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under deploy/kubernetes, checked offline: each document is read into the Kubernetes API's typed
 * model (fabric8) with no field left unknown anywhere (a misspelt or misplaced field fails), and the documents agree
 * with each other (Services select a workload's pods, autoscalers and KEDA ScaledObjects target a workload,
 * ConfigMaps that containers read exist, probes use declared ports, everything is in the declared namespace).
 */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper TYPED = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "batch/v1/Job", Job.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    @Test
    void everyManifestIsValidAgainstTheApiModelAndConsistent() throws IOException {
        List<HasMetadata> resources = new ArrayList<>();
        List<JsonNode> scaledObjects = new ArrayList<>();
        for (Path file : yamlFiles()) {
            for (JsonNode document : documents(file)) {
                String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
                if (type.equals("keda.sh/v1alpha1/ScaledObject")) {
                    scaledObjects.add(checkedScaledObject(file, document));
                    continue;
                }
                Class<? extends HasMetadata> kind = KINDS.get(type);
                assertTrue(kind != null, file + ": a document of unexpected kind " + type);
                HasMetadata resource = TYPED.treeToValue(document, kind);
                List<String> unknown = new ArrayList<>();
                unknownFields(resource, type + " " + resource.getMetadata().getName(), unknown,
                        new IdentityHashMap<>());
                assertEquals(List.of(), unknown, file + ": fields the Kubernetes API does not have");
                resources.add(resource);
            }
        }
        assertFalse(resources.isEmpty(), "manifests found under " + MANIFESTS.toAbsolutePath());

        String namespace = only(resources, Namespace.class).get(0).getMetadata().getName();
        for (HasMetadata resource : resources) {
            if (!(resource instanceof Namespace)) {
                assertEquals(namespace, resource.getMetadata().getNamespace(), name(resource) + "'s namespace");
            }
        }
        Map<String, PodTemplateSpec> workloads = workloads(resources);
        Set<String> configMaps = only(resources, ConfigMap.class).stream().map(c -> c.getMetadata().getName())
                .collect(Collectors.toSet());
        for (Service service : only(resources, Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            assertTrue(workloads.values().stream().anyMatch(pod -> pod.getMetadata().getLabels().entrySet()
                    .containsAll(selector.entrySet())), name(service) + " selects no workload's pods: " + selector);
        }
        for (HorizontalPodAutoscaler hpa : only(resources, HorizontalPodAutoscaler.class)) {
            assertTrue(workloads.containsKey(hpa.getSpec().getScaleTargetRef().getName()), name(hpa) + "'s target");
        }
        for (JsonNode scaled : scaledObjects) {
            String target = scaled.path("spec").path("scaleTargetRef").path("name").asText();
            assertTrue(workloads.containsKey(target), "ScaledObject " + scaled.path("metadata").path("name")
                    + " targets " + target + ", not a workload of the manifests");
        }
        for (Map.Entry<String, PodTemplateSpec> workload : workloads.entrySet()) {
            for (Container container : workload.getValue().getSpec().getContainers()) {
                for (EnvFromSource source : container.getEnvFrom()) {
                    if (source.getConfigMapRef() != null) {
                        assertTrue(configMaps.contains(source.getConfigMapRef().getName()),
                                workload.getKey() + " reads ConfigMap " + source.getConfigMapRef().getName());
                    }
                }
                Set<Object> ports = container.getPorts().stream()
                        .flatMap(port -> Stream.of((Object) port.getContainerPort(), port.getName()))
                        .collect(Collectors.toSet());
                for (var probe : Stream.of(container.getReadinessProbe(), container.getLivenessProbe())
                        .filter(p -> p != null && p.getHttpGet() != null).toList()) {
                    var port = probe.getHttpGet().getPort();
                    assertTrue(ports.contains(port.getIntVal()) || ports.contains(port.getStrVal()),
                            workload.getKey() + "'s probe uses port " + port + ", not one it declares: " + ports);
                }
            }
        }
    }

    @Test
    void aMisspeltFieldIsCaught() throws IOException {
        JsonNode deployment = YAML.readTree("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x, namespace: latentflow}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          readinesProbe: {httpGet: {path: /q/health/ready, port: 8080}}
                """);
        List<String> unknown = new ArrayList<>();
        unknownFields(TYPED.treeToValue(deployment, Deployment.class), "x", unknown, new IdentityHashMap<>());
        assertEquals(1, unknown.size(), unknown.toString());
        assertTrue(unknown.get(0).contains("readinesProbe"), unknown.toString());
    }

    /** KEDA's ScaledObject (a CRD, outside the core model): the fields KEDA requires. */
    private static JsonNode checkedScaledObject(Path file, JsonNode scaled) {
        JsonNode spec = scaled.path("spec");
        assertFalse(scaled.path("metadata").path("name").asText().isEmpty(), file + ": ScaledObject name");
        assertFalse(spec.path("scaleTargetRef").path("name").asText().isEmpty(), file + ": scaleTargetRef.name");
        assertTrue(spec.path("triggers").isArray() && !spec.path("triggers").isEmpty(), file + ": triggers");
        for (JsonNode trigger : spec.path("triggers")) {
            assertTrue(Set.of("kafka", "prometheus", "cpu", "memory").contains(trigger.path("type").asText()),
                    file + ": trigger type " + trigger.path("type"));
            trigger.path("metadata").fields().forEachRemaining(field -> assertTrue(field.getValue().isTextual(),
                    file + ": trigger metadata " + field.getKey() + " must be a string (KEDA reads strings)"));
        }
        return scaled;
    }

    /** Fields the typed model did not know: they land in a model object's additionalProperties. */
    private static void unknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknownFields(value, path + "." + key, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
                extra.keySet().forEach(key -> unknown.add(path + "." + key));
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }

    private static Map<String, PodTemplateSpec> workloads(List<HasMetadata> resources) {
        Map<String, PodTemplateSpec> workloads = new HashMap<>();
        only(resources, Deployment.class).forEach(d -> workloads.put(d.getMetadata().getName(),
                d.getSpec().getTemplate()));
        only(resources, StatefulSet.class).forEach(s -> workloads.put(s.getMetadata().getName(),
                s.getSpec().getTemplate()));
        return workloads;
    }

    private static <T> List<T> only(List<HasMetadata> resources, Class<T> kind) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static String name(HasMetadata resource) {
        return resource.getKind() + " " + resource.getMetadata().getName();
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MANIFESTS)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            var iterator = YAML.readValues(parser, JsonNode.class);
            while (iterator.hasNext()) {
                JsonNode document = iterator.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }
}
