# The two commands: `make run` runs the whole system on embedded defaults; `make test` runs the tests.
# Both find a JDK 21+ themselves (scripts/find-jdk.sh) and use the Maven wrapper.
SHELL := /bin/bash
JAVA_HOME := $(shell scripts/find-jdk.sh)
export JAVA_HOME
MVN := ./mvnw -B -ntp

.PHONY: run test build package images benchmark clean check-jdk replay-dlt list-dlt cluster chaos

check-jdk:
	@test -n "$(JAVA_HOME)" || { scripts/find-jdk.sh; exit 1; }

## run: the whole system in one JVM (embedded Kafka + PostgreSQL, emulators unless real tokens are set)
run: check-jdk
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl all-in-one exec:java -Dexec.mainClass=io.kiepipeline.allinone.Main

## test: every module's tests, on real Kafka and real PostgreSQL
test: check-jdk
	@if scripts/image-base.sh; then jib_skip=false; else jib_skip=true; \
	  echo "make test: no image base on this machine (it needs Linux x86-64, ldd and Debian's busybox-static):" \
	    "the images are not built and their tests are skipped"; fi; \
	$(MVN) verify -Djib.skip=$$jib_skip

## package: the runnable jar of each service (target/*-exec.jar)
package: check-jdk
	$(MVN) -DskipTests package

## images: a container image per service as a tarball, built without a Docker engine or a registry (Jib):
## docker load -i <service>/target/<service>-image.tar; then docker compose up -d (docs/deploy.md)
images: check-jdk
	scripts/image-base.sh
	$(MVN) -q -DskipTests -Djib.skip=false package
	@ls -lh */target/*-image.tar

## cluster: every service as its own process (scripts/cluster up): INSTANCES=gateway=2,ledger=2 KAFKA_BROKERS=3 make cluster
cluster: check-jdk
	$(MVN) -q -DskipTests package
	scripts/cluster up

## chaos: a seeded workload against a cluster under kills and outages, then an audit of the money (docs/operations.md)
## CHAOS_SEED, CHAOS_JOBS, CHAOS_KILLS, CHAOS_MINUTES, CHAOS_HOSTILE size it; INSTANCES and KAFKA_BROKERS the cluster
chaos: check-jdk
	$(MVN) -q -DskipTests package
	PIPELINE_ROOT=$(CURDIR) $(JAVA_HOME)/bin/java -cp "cluster/target/classes:$$(cat cluster/target/classpath.txt)" \
	  io.kiepipeline.cluster.chaos.ChaosRun

## benchmark: outbox latency and pipeline throughput against the emulators (one JVM);
## MODE=cluster make benchmark: how the cluster mode scales with 1 and 2 instances (docs/operations.md)
benchmark: check-jdk
ifeq ($(MODE),cluster)
	$(MVN) -q -DskipTests package
	PIPELINE_ROOT=$(CURDIR) $(JAVA_HOME)/bin/java -cp "cluster/target/classes:$$(cat cluster/target/classpath.txt)" \
	  io.kiepipeline.cluster.ClusterBenchmark
else
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl all-in-one exec:java -Dexec.mainClass=io.kiepipeline.allinone.Benchmark -Dexec.classpathScope=test
endif

## replay-dlt: send dead letters back to their topic once the cause is fixed: make replay-dlt TOPIC=ledger.commands [KEY=42]
replay-dlt: check-jdk
	@test -n "$(TOPIC)" || { echo "usage: make replay-dlt TOPIC=<topic> [KEY=<key>]"; exit 2; }
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl platform exec:java -Dexec.mainClass=io.kiepipeline.platform.deadletters.DeadLetterReplay -Dexec.args="replay $(TOPIC) $(KEY)"

## list-dlt: show the dead letters of a topic that were not replayed yet: make list-dlt TOPIC=ledger.commands
list-dlt: check-jdk
	@test -n "$(TOPIC)" || { echo "usage: make list-dlt TOPIC=<topic>"; exit 2; }
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl platform exec:java -Dexec.mainClass=io.kiepipeline.platform.deadletters.DeadLetterReplay -Dexec.args="list $(TOPIC)"

clean:
	$(MVN) -q clean
	rm -rf .data
