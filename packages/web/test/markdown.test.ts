import { describe, expect, it } from "vitest";
import { namesReader, parseExcerpt, parseMessage, type BlockNode, type InlineNode, type MentionContext } from "../src/lib/markdown.ts";

const members: MentionContext = {
  isMember: (name) => ["alice", "bob", "j.doe"].includes(name.toLowerCase()),
  me: "alice",
  everyone: false,
};

const text = (t: string): InlineNode => ({ type: "text", text: t });
const para = (...children: InlineNode[]): BlockNode => ({ type: "paragraph", children });
/** The one paragraph a one-line message makes. */
const line = (content: string, context?: MentionContext) => {
  const blocks = parseMessage(content, context);
  expect(blocks).toHaveLength(1);
  expect(blocks[0]!.type).toBe("paragraph");
  return (blocks[0] as Extract<BlockNode, { type: "paragraph" }>).children;
};

/** Every node of a tree, depth first. */
function* walk(nodes: readonly (BlockNode | InlineNode)[]): Generator<BlockNode | InlineNode> {
  for (const node of nodes) {
    yield node;
    if ("children" in node) yield* walk(node.children);
  }
}

/** The characters a person sees, in order. */
const seen = (nodes: readonly (BlockNode | InlineNode)[]): string =>
  [...walk(nodes)].map((n) => ("text" in n ? n.text : n.type === "mention" ? `@${n.username}` : n.type === "break" ? "\n" : "")).join("");

describe("formatting", () => {
  it("draws bold, italic, strikethrough and inline code", () => {
    expect(line("**bold** *it* _it_ __bold__ ~~gone~~ `a < b`")).toEqual([
      { type: "strong", children: [text("bold")] },
      text(" "),
      { type: "em", children: [text("it")] },
      text(" "),
      { type: "em", children: [text("it")] },
      text(" "),
      { type: "strong", children: [text("bold")] },
      text(" "),
      { type: "strike", children: [text("gone")] },
      text(" "),
      { type: "code", text: "a < b" },
    ]);
  });

  it("nests emphasis", () => {
    expect(line("***both*** **bold *and it***")).toEqual([
      { type: "em", children: [{ type: "strong", children: [text("both")] }] },
      text(" "),
      { type: "strong", children: [text("bold "), { type: "em", children: [text("and it")] }] },
    ]);
  });

  it("keeps code blocks verbatim, with their language", () => {
    expect(parseMessage("```ts\nconst a = **1**;\n  <b>x</b>\n```")).toEqual([
      { type: "codeblock", text: "const a = **1**;\n  <b>x</b>", lang: "ts" },
    ]);
    expect(parseMessage("```\nplain\n```")).toEqual([{ type: "codeblock", text: "plain", lang: null }]);
  });

  it("makes quotes of > lines, and a line break of each newline", () => {
    expect(parseMessage("> quoted\n> on two lines\n\nafter\nthe quote")).toEqual([
      { type: "quote", children: [para(text("quoted"), { type: "break" }, text("on two lines"))] },
      para(text("after"), { type: "break" }, text("the quote")),
    ]);
  });

  it("hides ||spoilers||, with formatting inside them", () => {
    expect(line("the end: ||he **was** a ghost|| ok")).toEqual([
      text("the end: "),
      { type: "spoiler", children: [text("he "), { type: "strong", children: [text("was")] }, text(" a ghost")] },
      text(" ok"),
    ]);
    // Not spoilers: an empty pair, a lone bar, an unclosed one.
    for (const typed of ["||||", "a | b", "||open", "|| ||"]) expect(line(typed)).toEqual([text(typed)]);
  });

  it("leaves what chat does not format as the characters typed", () => {
    for (const typed of ["# not a heading", "- not a list", "1. not a list", "---", "| a | b |"]) {
      expect(line(typed)).toEqual([text(typed)]);
    }
    expect(line("    indented is not code")).toEqual([text("indented is not code")]);
    expect(line("&lt;b&gt; &amp; &#60;")).toEqual([text("&lt;b&gt; &amp; &#60;")]);
    expect(line("\\*not italic\\*")).toEqual([text("*not italic*")]);
    // No images: the address is a link like any other.
    expect(line("![alt](https://x.test/a.png)")).toEqual([
      text("![alt]("),
      { type: "link", href: "https://x.test/a.png", text: "https://x.test/a.png" },
      text(")"),
    ]);
  });
});

describe("links", () => {
  it("links http(s) addresses written out, with the address as the text", () => {
    expect(line("see https://example.com/a?b=1#c and http://example.org.")).toEqual([
      text("see "),
      { type: "link", href: "https://example.com/a?b=1#c", text: "https://example.com/a?b=1#c" },
      text(" and "),
      { type: "link", href: "http://example.org/", text: "http://example.org" },
      text("."),
    ]);
  });

  // Issue 21: an internationalized host is shown as the address bar shows it, in punycode.
  it("shows a host that is not ASCII in punycode, so a look-alike cannot pass for the real name", () => {
    // "аррӏе" is Cyrillic а, р, р, ӏ, е: it reads "apple".
    expect(line("log in at https://аррӏе.com/login now")).toEqual([
      text("log in at "),
      { type: "link", href: "https://xn--80ak6aa92e.com/login", text: "https://xn--80ak6aa92e.com/login" },
      text(" now"),
    ]);
    // Only the host changes: the path and query show as typed.
    expect(line("http://münchen.de/straße?q=ü")).toEqual([
      { type: "link", href: "http://xn--mnchen-3ya.de/stra%C3%9Fe?q=%C3%BC", text: "http://xn--mnchen-3ya.de/straße?q=ü" },
    ]);
    // Full-width letters that look like ASCII are not shown as ASCII either.
    const [wide] = line("https://ｇｏｏｇｌｅ.com/x");
    expect(wide).toMatchObject({ type: "link", text: expect.stringMatching(/^https:\/\/xn--[a-z0-9-]+\.com\/x$/) });
    expect(new URL((wide as { href: string }).href).host).toBe((wide as { text: string }).text.split("/")[2]);
  });

  it("keeps a host written in punycode in punycode (markdown-it would show it decoded), and ASCII hosts as typed", () => {
    expect(line("https://xn--80ak6aa92e.com")).toEqual([{ type: "link", href: "https://xn--80ak6aa92e.com/", text: "https://xn--80ak6aa92e.com" }]);
    expect(line("https://Example.COM:8443/A")).toEqual([{ type: "link", href: "https://example.com:8443/A", text: "https://Example.COM:8443/A" }]);
  });

  it("does not guess links, and links no other scheme", () => {
    for (const typed of ["www.example.com", "example.com", "mail me@example.com", "mailto:me@example.com", "ftp://example.com/f", "//example.com/x"]) {
      expect(line(typed)).toEqual([text(typed)]);
    }
  });
});

/**
 * What must stay inert text whatever is typed: the tree has no node that could carry markup or
 * script, every link is http(s), and the characters typed are all there to see.
 */
describe("safety", () => {
  const hostile = [
    `<img src=x onerror="alert(1)">`,
    `<script>alert(1)</script>`,
    `<a href="javascript:alert(1)">x</a>`,
    `[click](javascript:alert(1))`,
    `[click](https://good.test "title")`,
    `javascript:alert(1)`,
    `JaVaScRiPt:alert(1)`,
    `<javascript:alert(1)>`,
    `data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
    `vbscript:msgbox(1)`,
    `<https://x.test/"onmouseover="alert(1)>`,
    `https://x.test/"><img src=x onerror=alert(1)>`,
    `<svg onload=alert(1)>`,
    `<iframe src="https://evil.test"></iframe>`,
    `**<b onclick=alert(1)>bold</b>**`,
    `||<img src=x onerror=alert(1)>||`,
    "`<img src=x onerror=alert(1)>`",
    "```html\n<img src=x onerror=alert(1)>\n```",
    `> <script>alert(1)</script>`,
    `&#106;avascript:alert(1)`,
    `[x](&#106;avascript:alert(1))`,
    `@<img src=x onerror=alert(1)>`,
  ];

  it.each(hostile)("%s stays text", (typed) => {
    const tree = parseMessage(typed, members);
    const kinds = new Set(["paragraph", "codeblock", "quote", "text", "break", "code", "link", "mention", "strong", "em", "strike", "spoiler"]);
    for (const node of walk(tree)) {
      expect(kinds.has(node.type)).toBe(true);
      if (node.type === "link") expect(node.href).toMatch(/^https?:\/\//);
    }
    // Nothing typed is lost or turned into anything but characters (Markdown markers aside).
    const visible = seen(tree).replace(/\s+/g, "");
    const expected = typed.replace(/^(```html|> )|```$|[`*|]/gm, "").replace(/\s+/g, "");
    expect(visible).toBe(expected);
  });

  it("a link's address is percent-encoded, so its quotes cannot end an attribute", () => {
    const [link] = line(`https://x.test/"onmouseover="alert(1)`).filter((n) => n.type === "link");
    expect(link).toMatchObject({ type: "link", href: `https://x.test/%22onmouseover=%22alert(1)` });
  });
});

describe("mentions", () => {
  it("marks members named with @, the reader's own apart, and nothing else", () => {
    expect(line("hi @bob and @ALICE, not @nobody or me@bob.test", members)).toEqual([
      text("hi "),
      { type: "mention", username: "bob", me: false },
      text(" and "),
      { type: "mention", username: "ALICE", me: true },
      text(", not @nobody or me@bob.test"),
    ]);
  });

  it("tells trailing punctuation from a name with dots", () => {
    expect(line("@bob. @j.doe. @j.doe", members)).toEqual([
      { type: "mention", username: "bob", me: false },
      text(". "),
      { type: "mention", username: "j.doe", me: false },
      text(". "),
      { type: "mention", username: "j.doe", me: false },
    ]);
  });

  it("marks @everyone only when it counts", () => {
    expect(line("@everyone look", members)).toEqual([text("@everyone look")]);
    expect(line("@everyone look", { ...members, everyone: true })).toEqual([
      { type: "mention", username: "everyone", me: true },
      text(" look"),
    ]);
  });

  it("leaves mentions in code as code", () => {
    expect(line("`@bob`", members)).toEqual([{ type: "code", text: "@bob" }]);
  });

  it("finds the reader named in plain text", () => {
    expect(namesReader("hey @Alice!", "alice")).toBe(true);
    expect(namesReader("hey @alice.", "alice")).toBe(true);
    expect(namesReader("hey @alice2", "alice")).toBe(false);
    expect(namesReader("hey @alice.b", "alice")).toBe(false);
    expect(namesReader("mail alice@x.test", "alice")).toBe(false);
    expect(namesReader("ping @j.doe", "j.doe")).toBe(true);
    expect(namesReader("ping @jxdoe", "j.doe")).toBe(false);
  });
});

describe("excerpts", () => {
  it("are one line of inline Markdown, spoilers kept hidden", () => {
    expect(parseExcerpt("**big** news\n> ||secret||\n# x")).toEqual([
      { type: "strong", children: [text("big")] },
      text(" news > "),
      { type: "spoiler", children: [text("secret")] },
      text(" # x"),
    ]);
  });
});
