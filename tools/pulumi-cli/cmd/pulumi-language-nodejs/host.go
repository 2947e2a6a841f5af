package main

import (
	"context"
	"os/exec"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// languageHost implements the parts of pulumirpc.LanguageRuntimeServer the
// CLI needs for up/preview/refresh/destroy/config. Everything else (new,
// codegen, packing, policy plugins) falls through to the embedded
// Unimplemented server, which the CLI handles as "not supported".
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string // from argv, or from Handshake when attached
	tracing       string // forwarded to @pulumi/pulumi/cmd/run

	cancelCtx context.Context // cancelled by the Cancel RPC
	cancel    context.CancelFunc
}

func (h *languageHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake is only sent when the engine attaches to an already running host
// (PULUMI_DEBUG_LANGUAGES); launched hosts get the address on argv. We just
// remember the address; the directories arrive again with every Run request.
func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the version stamped in by scripts/tools.sh (-X
// .../version.Version=vX.Y.Z), so the CLI sees a host matching itself.
func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins and GetRequiredPackages report nothing: the real host
// walks node_modules for packages with a "pulumi" section so the CLI can
// pre-install providers, but our tests only use plugins that are on disk
// already (the CLI falls back to loading them on demand).
func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies is a no-op: the project runs `npm install` itself.
// Returning nil ends the stream cleanly, which the CLI reads as success.
func (h *languageHost) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

// About tells `pulumi about` which node we would run.
func (h *languageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.AboutResponse{}, nil // nothing to report; not fatal for `about`
	}
	resp := &pulumirpc.AboutResponse{Executable: nodeBin}
	if out, err := exec.Command(nodeBin, "--version").Output(); err == nil {
		resp.Version = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	}
	return resp, nil
}

// GetProgramDependencies lists nothing; it only feeds `pulumi about` and
// update metadata, which our tests do not inspect.
func (h *languageHost) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// Cancel interrupts any running program. The CLI calls it right before it
// closes (kills) a language host, so a sticky cancel is fine. Acknowledging
// it, rather than answering Unimplemented, is equally accepted by the CLI.
func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}
