.PHONY: run test test-faults test-simulations test-browser vet bench fuzz ci chaos chaos-short

run:
	go run ./cmd/nrm serve --demo

test:
	go test -race ./...

# Left out of `make test`: the tests of the fault hooks, and those that
# crash a private PostgreSQL cluster or kill and stop a split deployment's
# processes under load (-tags chaos).
test-faults:
	go test -tags chaos -count=1 -run 'Fault|DiskFull|AuditStall' ./pkg/fault/ ./pkg/db/ ./services/audit/
	go test -tags chaos -count=1 ./internal/pgcluster/
	go test -tags chaos -count=1 -timeout 20m -run TestSplitDeploymentFaults ./cmd/nrm/

# The statistics' privacy-attack simulations, which -race skips.
test-simulations:
	go test -count=1 -run '^TestAttack' ./services/stats/

# The Chromium journeys (Debian's chromium); screenshots go to $$NRM_ARTEFACTS.
test-browser:
	go test -tags browser -parallel 4 -timeout 10m ./services/web/...

vet:
	go vet ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...

# Each fuzz target for a short while (seeds alone run in `make test`).
fuzz:
	@for pkg in $$(go list ./...); do \
	  for t in $$(go test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    go test -run '^$$' -fuzz "^$$t$$" -fuzztime 20s $$pkg || exit 1; \
	  done; \
	done

ci:
	bash .ci/run

# The fault suite (internal/chaos): on both engines, 12 SIGKILL rounds at
# random moments under load, 2 restarts of a private PostgreSQL cluster
# (never the shared server), an audit stall and a disk fill; then lost,
# unaudited, audit verify and statistics. A few minutes; CHAOS_FLAGS adds
# flags (--seed N repeats a run, --keep keeps its data and server log).
chaos:
	go run ./cmd/nrm-chaos --engine both --kills 12 --pg-restarts 2 --audit-stall 5s --disk-fill 4s $(CHAOS_FLAGS)

# The form .ci/run runs: 2 kills per engine, 1 PostgreSQL restart, 1 audit stall.
chaos-short:
	go run ./cmd/nrm-chaos --short $(CHAOS_FLAGS)
