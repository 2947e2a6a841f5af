// Command pulumi-language-nodejs is a minimal Node.js language host for the
// Pulumi CLI, written for this project because the official module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
// served by the Go module proxy we can reach. It speaks the
// pulumirpc.LanguageRuntime gRPC contract and does only what our tests need:
// it runs a JavaScript/TypeScript program through @pulumi/pulumi/cmd/run.
// Plugin discovery and dependency installation are deliberately no-ops: the
// tests run with --skip-plugin-pre-install and only use bundled plugins.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// options are what the CLI may pass on our command line. The engine launches
// language plugins as `[--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDR`
// and other callers add `-root DIR`; anything else is tolerated and ignored.
type options struct {
	engineAddress string
	tracing       string
	root          string
}

// parseArgs is hand-rolled rather than using package flag because flag
// aborts on unknown flags, and a language host must not die just because a
// newer CLI passes a flag we have never heard of.
func parseArgs(args []string) options {
	var o options
	// Flags we know to take a separate value when written without "=".
	valued := map[string]*string{"tracing": &o.tracing, "root": &o.root}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			// The first positional argument is the engine's gRPC address.
			if o.engineAddress == "" {
				o.engineAddress = arg
			}
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		dst, known := valued[name]
		if !known {
			continue // boolean or self-contained (-v=9): nothing to keep
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		*dst = value
	}
	return o
}

func main() {
	opts := parseArgs(os.Args[1:])

	// The program context is cancelled by the Cancel RPC, so a running node
	// process is interrupted when the engine asks us to stop.
	cancelCtx, cancel := context.WithCancel(context.Background())
	host := &languageHost{
		engineAddress: opts.engineAddress,
		tracing:       opts.tracing,
		cancelCtx:     cancelCtx,
		cancel:        cancel,
	}

	// Port 0: the kernel picks a free port on 127.0.0.1 (ServeWithOptions
	// always binds loopback), which we report to the engine on stdout.
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start gRPC server: %v\n", err)
		os.Exit(1)
	}

	// The engine reads exactly this line to learn where to connect; every
	// later line of stdout is treated as program output.
	fmt.Printf("%d\n", handle.Port)

	// Serve until the engine kills us (or the server fails).
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}
