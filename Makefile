# The two commands: `make run` runs the whole system on embedded defaults; `make test` runs the tests.
# Both find a JDK 21+ themselves (scripts/find-jdk.sh) and use the Maven wrapper.
SHELL := /bin/bash
JAVA_HOME := $(shell scripts/find-jdk.sh)
export JAVA_HOME
MVN := ./mvnw -B -ntp

.PHONY: run test build package benchmark clean check-jdk

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

clean:
	$(MVN) -q clean
	rm -rf .data
