.PHONY: run test vet bench fuzz ci

run:
	go run ./cmd/nrm serve --demo

test:
	go test -race ./...

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
