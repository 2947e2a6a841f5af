# Sourced after env.sh: runs the Pulumi CLI fully offline against a local
# file:// backend. The caller may preset PULUMI_STATE_DIR / PULUMI_HOME.
: "${PULUMI_STATE_DIR:=$ROOT/.pulumi/state}"
: "${PULUMI_HOME:=$ROOT/.pulumi/home}"
mkdir -p "$PULUMI_STATE_DIR" "$PULUMI_HOME"
export PULUMI_HOME
export PULUMI_BACKEND_URL="file://$PULUMI_STATE_DIR"
# The demo's stack holds no secrets; a fixed passphrase keeps it non-interactive.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-demo}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_CONFIRMATIONS=true
