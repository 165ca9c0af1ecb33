/**
 * The filled buttons' text is readable in every state the app shows (issue 22 item 7): at least
 * 4.5:1 (WCAG 2 AA for text) between the text colour and the fill, as app.css declares them (the
 * rules' `background` and `color`, their custom properties resolved from `:root`).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("../src/app.css", import.meta.url), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");

/** The declarations of the rule whose selector is exactly `selector`. */
function rule(selector: string): Record<string, string> {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`(?:^|})\\s*${escaped}\\s*\\{([^}]*)\\}`).exec(css);
  if (!match) throw new Error(`app.css has no rule "${selector}".`);
  return Object.fromEntries(
    match[1]!
      .split(";")
      .map((d) => d.split(":").map((x) => x.trim()))
      .filter((d) => d.length >= 2 && d[0])
      .map(([k, ...v]) => [k!, v.join(":")]),
  );
}

const root = rule(":root");

/** A colour as `#rrggbb`, through any `var(--x)`. */
function resolve(value: string): string {
  const variable = /^var\((--[\w-]+)\)$/.exec(value);
  if (variable) {
    const defined = root[variable[1]!];
    if (!defined) throw new Error(`${variable[1]} is not defined in :root.`);
    return resolve(defined);
  }
  if (/^#[0-9a-f]{3}$/i.test(value)) return `#${[...value.slice(1)].map((c) => c + c).join("")}`;
  if (/^#[0-9a-f]{6}$/i.test(value)) return value.toLowerCase();
  throw new Error(`Not an opaque hex colour: ${value}`);
}

/** WCAG 2 relative luminance of an sRGB colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

describe("contrast of the filled buttons' text", () => {
  it("computes WCAG ratios as the standard's own examples give them", () => {
    expect(contrast("#ffffff", "#000000")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(contrast("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
  });

  const base = rule(".btn");
  // Each state: the rule that sets it, and what it inherits from `.btn` where it sets nothing.
  const states: [string, string][] = [
    ["primary", ".btn"],
    ["primary, pointed at", ".btn:hover:not(:disabled)"],
    ["filled, disabled or busy", ".btn:disabled:not(.secondary, .ghost, .danger)"],
    ["destructive", ".btn.destructive"],
    ["destructive, pointed at", ".btn.destructive:hover:not(:disabled)"],
  ];
  for (const [state, selector] of states) {
    it(`${state}: text against the fill is at least 4.5:1`, () => {
      const declared = rule(selector);
      const destructive = selector.includes("destructive");
      const background = resolve(declared.background ?? (destructive ? rule(".btn.destructive").background! : base.background!));
      const color = resolve(declared.color ?? (destructive ? rule(".btn.destructive").color! : base.color!));
      // Opacity would blend both with whatever is behind: a filled state must not rely on it.
      if (declared.opacity !== undefined) expect(declared.opacity).toBe("1");
      expect(contrast(color, background)).toBeGreaterThanOrEqual(4.5);
    });
  }

  it("the filled disabled state undoes the fading every disabled button gets", () => {
    expect(rule(".btn:disabled").opacity).toBe("0.55");
    expect(rule(".btn:disabled:not(.secondary, .ghost, .danger)").opacity).toBe("1");
  });
});
