/**
 * README's generated sections, from the field table and the inputs' JSDoc:
 * the inputs reference, the behaviour table and the CLI's usage; and the
 * native-code audit's runtime table. `npm run
 * docs` writes them into README.md between their markers; a test fails when
 * README.md differs from what this makes, or when a JSDoc `@default`
 * disagrees with the table.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import ts from "typescript";
import { USAGE } from "../cli/args";
import { LAMBDA_RUNTIMES } from "../engine/audit";
import { DIFF_CLASSES, FIELDS, fieldsOf, type Field, type FieldSpec } from "../provider/fields";
import { repoRoot } from "./minio";

/** One input, or one field of an object input (`bundle.entry`), as its JSDoc and the field table describe it. */
export interface InputDoc {
  readonly name: Field | `${Field}.${string}`;
  readonly required: boolean;
  /** The JSDoc's text, without tags. */
  readonly text: string;
  /** The JSDoc's `@default`, as written; undefined when there is none. */
  readonly defaultTag?: string;
}

/** The inputs of `LambdaPackageArgs`, in declaration order, read with the compiler. */
export function inputDocs(root = repoRoot()): InputDoc[] {
  const file = path.join(root, "provider", "args.ts");
  const program = ts.createProgram([file], {
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const args = source.statements.find(
    (s): s is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(s) && s.name.text === "LambdaPackageArgs",
  );
  if (!args) throw new Error(`${file} declares no interface LambdaPackageArgs`);
  const describe = (symbol: ts.Symbol, name: InputDoc["name"]): InputDoc => {
    const tag = symbol.getJsDocTags(checker).find((t) => t.name === "default");
    return {
      name,
      required: (symbol.flags & ts.SymbolFlags.Optional) === 0,
      text: ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, " "),
      defaultTag: tag && ts.displayPartsToString(tag.text).replace(/\s+/g, " ").trim(),
    };
  };
  const options = packageOptionTypes(program, checker, root);
  return checker
    .getTypeAtLocation(args)
    .getProperties()
    .flatMap((symbol) => {
      const name = symbol.name as Field;
      const nested = "fields" in FIELDS[name] ? options.get(name) : undefined;
      const fields = nested ? checker.getNonNullableType(nested).getProperties() : [];
      return [
        describe(symbol, name),
        ...fields.map((field) => describe(field, `${name}.${field.name}`)),
      ];
    });
}

/** The declared type of each property of `PackageOptions`, for the fields of object options. */
function packageOptionTypes(
  program: ts.Program,
  checker: ts.TypeChecker,
  root: string,
): Map<string, ts.Type> {
  const file = path.join(root, "engine", "options.ts");
  const source = program.getSourceFile(file);
  const options = source?.statements.find(
    (s): s is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(s) && s.name.text === "PackageOptions",
  );
  if (!options) throw new Error(`${file} declares no interface PackageOptions`);
  const types = new Map<string, ts.Type>();
  for (const member of options.members) {
    if (ts.isPropertySignature(member) && member.type && ts.isIdentifier(member.name))
      types.set(member.name.text, checker.getTypeFromTypeNode(member.type));
  }
  return types;
}

/** The table row of an input, or of a field of an object input. */
function specOf(name: InputDoc["name"]): { default?: unknown; required?: string } | undefined {
  const [input, field] = name.split(".") as [Field, string | undefined];
  const spec: FieldSpec = FIELDS[input];
  return field === undefined ? spec : spec.fields?.[field];
}

/** Disagreements between the JSDoc and the field table; empty when they agree. */
export function docProblems(docs: readonly InputDoc[]): string[] {
  const problems: string[] = [];
  for (const doc of docs) {
    const spec = specOf(doc.name);
    if (spec === undefined) {
      problems.push(`${doc.name} has no row in its table`);
      continue;
    }
    if (!doc.text) problems.push(`${doc.name} has no JSDoc`);
    if (doc.required !== (spec.required !== undefined)) {
      problems.push(
        `${doc.name} is ${doc.required ? "" : "not "}required in its declaration but not in FIELDS`,
      );
    }
    if (doc.required) continue;
    if (doc.defaultTag === undefined) problems.push(`${doc.name} has no @default`);
    else if ("default" in spec && doc.defaultTag !== JSON.stringify(spec.default)) {
      problems.push(
        `${doc.name}: @default ${doc.defaultTag} in its JSDoc, ${JSON.stringify(spec.default)} in FIELDS`,
      );
    }
  }
  return problems;
}

const code = (name: string) => `\`${name}\``;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The inputs reference: name, what it is (the JSDoc's first sentence), default, and a change's effect. */
export function inputsTable(docs: readonly InputDoc[]): string {
  // In the table's order, which groups the inputs by what they are about; the
  // fields of an object input follow it, in their declaration order.
  const ordered = (Object.keys(FIELDS) as Field[]).flatMap((name) =>
    docs.filter((doc) => doc.name === name || doc.name.startsWith(`${name}.`)),
  );
  const rows = ordered.map((doc) => {
    // The first sentence: up to a full stop before a capital, not the one of "e.g.".
    const summary = doc.text.split(/(?<!\be\.g|\bi\.e)\.\s+(?=[A-Z])/)[0].replace(/\.?$/, ".");
    const tag = doc.defaultTag ?? "";
    // A literal value is code; prose such as "the bucket's default" stays prose.
    const literal = /^(["[{]|\d|true$|false$)/.test(tag);
    const fallback = doc.required ? "**required**" : literal ? code(tag) : tag;
    const diff = FIELDS[doc.name.split(".")[0] as Field].diff;
    return `| ${code(doc.name)} | ${cell(summary)} | ${cell(fallback)} | ${diff} |`;
  });
  return ["| input | what it is | default | a change |", "| --- | --- | --- | --- |", ...rows].join(
    "\n",
  );
}

/** What each kind of change plans and runs, from the diff classes. */
export function behaviourTable(): string {
  const names = (diff: Parameters<typeof fieldsOf>[0]) => fieldsOf(diff).map(code).join(", ");
  const rows = [
    [
      "nothing (or only this library's version)",
      "no change",
      "nothing: no packager, no hashing, no request",
    ],
    ...(Object.keys(DIFF_CLASSES) as (keyof typeof DIFF_CLASSES)[]).map((diff) => [
      names(diff),
      DIFF_CLASSES[diff].plan,
      DIFF_CLASSES[diff].runs,
    ]),
  ];
  return [
    "| change | plan | what runs |",
    "| --- | --- | --- |",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

/** The Lambda runtimes by OS and glibc, as the native-code audit knows them. */
export function runtimesTable(): string {
  const byOs = new Map<string, { glibc: string; names: string[] }>();
  for (const [name, os] of Object.entries(LAMBDA_RUNTIMES)) {
    const row = byOs.get(os.name) ?? { glibc: os.glibc, names: [] };
    row.names.push(code(name));
    byOs.set(os.name, row);
  }
  return [
    "| `runtime` | OS | glibc |",
    "| --- | --- | --- |",
    ...[...byOs].map(([os, row]) => `| ${row.names.join(", ")} | ${os} | ${row.glibc} |`),
  ].join("\n");
}

/** `text` with the section between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` replaced. */
function replaceSection(text: string, name: string, body: string): string {
  const open = `<!-- generated:${name} (npm run docs) -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${open} … ${close}`);
  return `${text.slice(0, start + open.length)}\n\n${body}\n\n${text.slice(end)}`;
}

/** README.md as it should be: every generated section made anew, formatted as Prettier would. */
export async function generatedReadme(readme: string, root = repoRoot()): Promise<string> {
  const docs = inputDocs(root);
  let text = replaceSection(readme, "inputs", inputsTable(docs));
  text = replaceSection(text, "behaviour", behaviourTable());
  text = replaceSection(text, "cli-usage", "```text\n" + USAGE + "\n```");
  text = replaceSection(text, "runtimes", runtimesTable());
  const file = path.join(root, "README.md");
  const options = await prettier.resolveConfig(file);
  return prettier.format(text, { ...options, filepath: file });
}

async function main(): Promise<void> {
  const root = repoRoot();
  const problems = docProblems(inputDocs(root));
  if (problems.length) {
    throw new Error(`the JSDoc and the field table disagree:\n  ${problems.join("\n  ")}`);
  }
  const file = path.join(root, "README.md");
  writeFileSync(file, await generatedReadme(readFileSync(file, "utf8"), root));
  console.log("docs: README.md's generated sections are up to date");
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`docs: ${error.message}`);
    process.exitCode = 1;
  });
}
