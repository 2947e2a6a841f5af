package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitAfterLoggedError is the exit code @pulumi/pulumi/cmd/run uses when it
// has already reported the program's error to the engine itself. The host
// must then answer {bail: true} with no message, or the CLI would show the
// failure a second time as "Program exited with non-zero exit code".
const exitAfterLoggedError = 32

// Run executes the program by launching
//
//	node [nodeargs] <resolved @pulumi/pulumi/cmd/run> --monitor ... <entry> [args]
//
// with the stack config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS, which
// is the interface cmd/run (and runtime/config) of @pulumi/pulumi read.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	// Current engines send ProgramInfo; Pwd/Program are the older fields, kept
	// as fallbacks so an attached or older caller still works.
	info := req.GetInfo()
	dir := firstNonEmpty(info.GetProgramDirectory(), req.GetPwd(), ".")
	entry := firstNonEmpty(info.GetEntryPoint(), req.GetProgram(), ".")
	runOpts := info.GetOptions().AsMap() // Pulumi.yaml `runtime.options`

	// Whatever node is first on PATH: the project puts the Node it tests
	// with (24) there, and the CLI passes its environment on to us.
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	runPath, err := resolveModule(ctx, nodeBin, dir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"could not find @pulumi/pulumi from %s (have you run npm install?): %v", dir, err)}, nil
	}

	args := strings.Fields(stringOpt(runOpts, "nodeargs"))
	args = append(args, runPath)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	// No --sync directory and no monitor proxy (the real host has both): they
	// only serve the legacy synchronous-invoke API, which is optional in
	// @pulumi/pulumi 3.x, so node talks to the engine's monitor directly.
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engine())
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", info.GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", dir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", h.tracing)
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env, err := programEnv(req, runOpts)
	if err != nil {
		return nil, err
	}

	// Interrupt node (then kill it after a grace period) if the engine drops
	// the request or sends Cancel, rather than leaving it orphaned.
	cmdCtx, stop := context.WithCancel(h.cancelCtx)
	defer stop()
	context.AfterFunc(ctx, stop)
	cmd := exec.CommandContext(cmdCtx, nodeBin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = dir
	cmd.Env = env
	// Wrapping os.Stdout/os.Stderr hides their *os.File type, so exec copies
	// through pipes instead of handing node our descriptors: node may switch
	// an inherited descriptor to non-blocking mode, which would then also hit
	// our own writes and the CLI's end of the pipe.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitAfterLoggedError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() > 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
	case exitErr != nil:
		return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + err.Error()}, nil
	default:
		// node never started (or its output could not be copied).
		return &pulumirpc.RunResponse{Error: "could not run node: " + err.Error()}, nil
	}
}

// programEnv is our environment plus the config the SDK reads. Keys are
// passed as the engine sends them ("project:key"); the real host rewrites them
// to the legacy "project:config:key" form for pre-1.0 SDKs, which
// @pulumi/pulumi 3.x maps back anyway, so that step is not needed here.
func programEnv(req *pulumirpc.RunRequest, runOpts map[string]any) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{} // "[]", not "null": the SDK JSON.parses it
	}
	secretsJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing secret config keys: %w", err)
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretsJSON))
	// TypeScript support (ts-node, vendored by @pulumi/pulumi) is on unless
	// Pulumi.yaml sets `runtime.options.typescript: false`, as with the real
	// host; plain .js programs are unaffected by it.
	if ts, ok := runOpts["typescript"].(bool); !ok || ts {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if p := stringOpt(runOpts, "tsconfig"); p != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
	}
	return env, nil
}

// resolveModule asks node itself where a module is, from the program's
// directory, so node_modules lookup (hoisting, workspaces, NODE_PATH) is
// exactly what the program will see. The specifier goes in as an argument,
// not spliced into the script, to avoid any quoting problems.
func resolveModule(ctx context.Context, nodeBin, dir, module string) (string, error) {
	// On failure the script prints only node's one-line reason ("Cannot find
	// module ...") instead of a stack trace, so it reads well in the CLI.
	const script = `try { console.log(require.resolve(process.argv[1])) }
catch (e) { console.error(e.message.split("\n")[0]); process.exit(1) }`
	cmd := exec.CommandContext(ctx, nodeBin, "-e", script, module)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func stringOpt(opts map[string]any, key string) string {
	s, _ := opts[key].(string)
	return s
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
