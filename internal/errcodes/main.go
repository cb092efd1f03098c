// Command errcodes adds the error codes the HTTP tests recorded to the
// operations of cmd/nrm/openapi.yaml (their x-error-codes lists).
//
//	NRM_CONTRACT_RECORD=/tmp/codes go test ./cmd/nrm ./services/...
//	go run ./internal/errcodes /tmp/codes        # prints what is missing
//	go run ./internal/errcodes -w /tmp/codes     # and writes it into the document
//	go run ./internal/errcodes -generic -w       # the middleware's codes for documented statuses without a list
//
// Run from the module root. A record names an operation by operationId; a
// route without one is reported, not guessed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/nrm-project/nrm/pkg/kit/contract"
)

func main() {
	write := flag.Bool("w", false, "write the missing codes into the document")
	generic := flag.Bool("generic", false, "add the shared middleware's code for every documented error status that lists none")
	flag.Parse()
	if flag.NArg() == 0 && !*generic {
		fmt.Fprintln(os.Stderr, "usage: errcodes [-w] [-generic] [RECORD_FILE...]")
		os.Exit(2)
	}
	if err := run(*write, *generic, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "errcodes:", err)
		os.Exit(1)
	}
}

func run(write, generic bool, files []string) error {
	var recs []contract.Record
	for _, name := range files {
		r, err := readRecords(name)
		if err != nil {
			return err
		}
		recs = append(recs, r...)
	}
	doc, err := contract.LoadFile(contract.SpecPath)
	if err != nil {
		return err
	}
	if generic {
		recs = append(recs, contract.GenericCodes(doc)...)
	}
	missing := contract.MissingCodes(doc, recs)
	for _, r := range missing {
		fmt.Println(r)
	}
	if !write || len(missing) == 0 {
		return nil
	}
	src, err := os.ReadFile(contract.SpecPath)
	if err != nil {
		return err
	}
	out, err := contract.AddErrorCodes(src, missing)
	if err != nil {
		return err
	}
	return os.WriteFile(contract.SpecPath, out, 0o644)
}

func readRecords(name string) ([]contract.Record, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []contract.Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 {
			continue
		}
		st, err := strconv.Atoi(fs[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", name, sc.Text(), err)
		}
		out = append(out, contract.Record{Operation: fs[0], Status: st, Code: fs[2]})
	}
	return out, sc.Err()
}
