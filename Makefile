# The two commands: `make run` runs the whole system on embedded defaults; `make test` runs the tests.
# Both find a JDK 21+ themselves (scripts/find-jdk.sh) and use the Maven wrapper.
SHELL := /bin/bash
JAVA_HOME := $(shell scripts/find-jdk.sh)
export JAVA_HOME
MVN := ./mvnw -B -ntp

.PHONY: run test build package benchmark clean check-jdk replay-dlt list-dlt

check-jdk:
	@test -n "$(JAVA_HOME)" || { scripts/find-jdk.sh; exit 1; }

## run: the whole system in one JVM (embedded Kafka + PostgreSQL, emulators unless real tokens are set)
run: check-jdk
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl all-in-one exec:java -Dexec.mainClass=io.kiepipeline.allinone.Main

## test: every module's tests, on real Kafka and real PostgreSQL
test: check-jdk
	$(MVN) verify

## package: the runnable jar of each service (target/*-exec.jar)
package: check-jdk
	$(MVN) -DskipTests package

## benchmark: outbox latency and pipeline throughput against the emulators
benchmark: check-jdk
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl all-in-one exec:java -Dexec.mainClass=io.kiepipeline.allinone.Benchmark -Dexec.classpathScope=test

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
