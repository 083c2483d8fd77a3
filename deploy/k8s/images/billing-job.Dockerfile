# The billing job's image for the FlinkDeployment: the official Flink image plus the job jar.
# Build from the repository root after ./mvnw -B -DskipTests package:
#   docker build -f deploy/k8s/images/billing-job.Dockerfile -t registry.dabba.example/dabba/billing-job:0.1.0-SNAPSHOT .
FROM flink:2.2.0-java17
COPY stream-jobs/target/dabba-stream-jobs-0.1.0-SNAPSHOT-job.jar /opt/flink/usrlib/dabba-stream-jobs-job.jar
