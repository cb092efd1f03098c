package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// cmdTOTP prints the current one-time code of a TOTP enrolment URI (as
// nrm users add and --demo print them), for scripts and the demo; an
// authenticator app does the same for people. The URI is read from stdin
// unless given as the argument (which other users of the machine may see).
func cmdTOTP(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("totp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nrm totp [otpauth://totp/...]   (the URI on stdin when not given)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var uri string
	switch fs.NArg() {
	case 0:
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("totp: read stdin: %w", err)
		}
		uri = line
	case 1:
		uri = fs.Arg(0)
	default:
		return usageError{"totp takes one otpauth:// URI"}
	}
	key, err := otp.NewKeyFromURL(strings.TrimSpace(uri))
	if err != nil || key.Type() != "totp" || key.Secret() == "" {
		return usageError{"totp: not an otpauth://totp/ URI with a secret"}
	}
	code, err := totp.GenerateCodeCustom(key.Secret(), time.Now(), totp.ValidateOpts{
		Period: uint(key.Period()), Digits: key.Digits(), Algorithm: key.Algorithm(),
	})
	if err != nil {
		return fmt.Errorf("totp: %w", err)
	}
	fmt.Fprintln(stdout, code)
	return nil
}
