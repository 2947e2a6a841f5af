//go:build tools

// Package tools pins the Pulumi CLI that scripts/tools.sh builds; the language
// host is the package cmd/pulumi-language-nodejs of this module.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
