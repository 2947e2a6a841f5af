/**
 * The floor's resources, as program text with `pulumi` in scope: a dynamic resource whose
 * provider does nothing (`Nothing`), and a component holding one (`Holder`), as `LambdaCode`
 * holds its package: bench/stack.ts's floor program and bench/program.ts both use them.
 */
export const FLOOR_CLASSES = `
const provider = {
  async create(inputs) { return { id: inputs.name, outs: inputs }; },
  async diff() { return { changes: false }; },
};
class Nothing extends pulumi.dynamic.Resource {
  constructor(name, props, opts) { super(provider, name, props, opts); }
}
class Holder extends pulumi.ComponentResource {
  constructor(name) {
    super("bench:index:Holder", name, {}, {});
    const inner = new Nothing(\`\${name}-package\`, { name, sourceKey: name }, { parent: this });
    this.registerOutputs({ versionId: inner.id });
  }
}
`;
