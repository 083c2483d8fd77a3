# The billing API's image: `dabba serve` from the deploy module's build (classes and runtime class path).
# Build from the repository root after ./mvnw -B -DskipTests package:
#   docker build -f deploy/k8s/images/billing-api.Dockerfile -t registry.dabba.example/dabba/billing-api:0.1.0-SNAPSHOT .
FROM eclipse-temurin:17.0.16_8-jre
COPY deploy/target/lib /opt/dabba/lib
COPY deploy/target/classes /opt/dabba/classes
USER 65532
ENTRYPOINT ["java", "-cp", "/opt/dabba/classes:/opt/dabba/lib/*", "dev.dabba.deploy.DabbaCli"]
