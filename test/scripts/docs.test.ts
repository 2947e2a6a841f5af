import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";
import { CONTRACT_VARIABLES } from "../../engine/packager";
import { DIFF_CLASSES, FIELDS } from "../../provider/fields";
import { behaviourTable, docProblems, generatedReadme, inputDocs } from "../../scripts/docs";
import { ROOT } from "../support/pulumi";

describe("docs from the field table", () => {
  test("README's inputs, behaviour, CLI and runtime sections are what the tables and the JSDoc give", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    assert.ok(
      (await generatedReadme(readme, ROOT)) === readme,
      "README.md is out of date with provider/fields.ts or the inputs' JSDoc: run `npm run docs`",
    );
  });

  test("the behaviour table names every input once, in the row of its diff class", () => {
    const table = behaviourTable();
    for (const name of Object.keys(FIELDS)) {
      const rows = table.split("\n").filter((row) => row.includes(`\`${name}\``));
      assert.equal(rows.length, 1, `${name} is in ${rows.length} rows of the behaviour table`);
      assert.ok(
        rows[0].includes(DIFF_CLASSES[FIELDS[name as keyof typeof FIELDS].diff].runs),
        name,
      );
    }
  });

  test("every input's JSDoc agrees with the field table on being required and on its default", () => {
    assert.deepEqual(docProblems(inputDocs(ROOT)), []);
  });

  test("a JSDoc default that disagrees with the table is reported, naming the input", () => {
    const [doc] = inputDocs(ROOT).filter((d) => d.name === "compressionLevel");
    assert.deepEqual(docProblems([{ ...doc, defaultTag: "6" }]), [
      "compressionLevel: @default 6 in its JSDoc, 9 in FIELDS",
    ]);
    assert.deepEqual(docProblems([{ ...doc, defaultTag: undefined }]), [
      "compressionLevel has no @default",
    ]);
  });

  test("the fields of an object input are documented and checked like inputs", () => {
    const docs = inputDocs(ROOT);
    const names = docs.map((d) => d.name).filter((n) => n.startsWith("bundle."));
    assert.deepEqual(names, [
      "bundle.entry",
      "bundle.entries",
      "bundle.format",
      "bundle.externals",
      "bundle.nodeModules",
      "bundle.minify",
      "bundle.sourcemap",
      "bundle.sourcesContent",
      "bundle.define",
      "bundle.banner",
      "bundle.manifests",
    ]);
    const format = docs.find((d) => d.name === "bundle.format")!;
    assert.deepEqual(docProblems([{ ...format, defaultTag: '"esm"' }]), [
      'bundle.format: @default "esm" in its JSDoc, "cjs" in FIELDS',
    ]);
  });

  test("packagers/README.md documents every contract variable", async () => {
    const contract = await readFile(path.join(ROOT, "packagers", "README.md"), "utf8");
    for (const name of CONTRACT_VARIABLES) {
      assert.match(contract, new RegExp(`^\\| \`${name}\` +\\|`, "m"), name);
    }
  });

  test("an input added to LambdaPackageArgs without a field-table row fails to compile", () => {
    const args = path.join(ROOT, "provider", "args.ts");
    const fields = path.join(ROOT, "provider", "fields.ts");
    const options: ts.CompilerOptions = {
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
    };
    const host = ts.createCompilerHost(options);
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language, ...rest) => {
      if (path.resolve(file) !== args) return original(file, language, ...rest);
      const text = ts.sys
        .readFile(args)!
        .replace(
          "export interface LambdaPackageArgs extends PackageInputs {",
          "export interface LambdaPackageArgs extends PackageInputs {\n  addedInput?: string;",
        );
      return ts.createSourceFile(file, text, language);
    };
    const errors = (edited: boolean) => {
      const program = ts.createProgram([fields], options, edited ? host : undefined);
      return ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file && path.resolve(d.file.fileName) === fields)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    };
    assert.deepEqual(errors(false), []);
    assert.ok(
      errors(true).some((message) => message.includes("addedInput")),
      "fields.ts should not compile while addedInput has no row",
    );
  });
});
