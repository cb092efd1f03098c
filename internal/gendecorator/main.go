package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(".", os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gendecorator:", err)
		os.Exit(1)
	}
}

// run generates the decorator of the package in dir as args ask (the
// flags of go generate's command line) and writes it.
func run(dir string, args []string) error {
	fs := flag.NewFlagSet("gendecorator", flag.ContinueOnError)
	cfg := config{dir: dir}
	fs.StringVar(&cfg.iface, "type", "Service", "the interface to decorate")
	fs.StringVar(&cfg.name, "name", "observed", "the generated type")
	fs.StringVar(&cfg.decorator, "decorator", "decorate", `the kit.Decorator variable ("" for none)`)
	out := fs.String("o", "observed_gen.go", "the output file")
	caseIDs := fs.String("caseid", "", "parameter names (and Method=expr) giving the case id the observer takes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *caseIDs != "" {
		decoratorSet := false
		fs.Visit(func(f *flag.Flag) { decoratorSet = decoratorSet || f.Name == "decorator" })
		if decoratorSet && cfg.decorator != "" {
			return fmt.Errorf("-decorator makes a kit.Decorator, whose observer takes no case id: not with -caseid")
		}
		cfg.decorator = ""
		cfg.caseIDs, cfg.perMethod = []string{}, map[string]string{}
		for _, c := range strings.Split(*caseIDs, ",") {
			if m, e, ok := strings.Cut(c, "="); ok {
				if e == "" { // the method has no case id to pass
					e = `""`
				}
				cfg.perMethod[m] = e
			} else if c != "" {
				cfg.caseIDs = append(cfg.caseIDs, c)
			}
		}
	}
	src, err := generate(cfg)
	if err != nil {
		return err
	}
	path := *out
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return os.WriteFile(path, src, 0o644)
}
