import { describe, expect, it } from "vitest";
import { placeMenu } from "../src/lib/contextMenu.ts";

describe("placeMenu", () => {
  const size = { width: 200, height: 150 };
  const viewport = { width: 390, height: 844 };

  it("opens at the pointer where there is room", () => {
    expect(placeMenu({ x: 20, y: 30 }, size, viewport)).toEqual({ left: 20, top: 30 });
  });

  it("opens leftwards and upwards near the right and bottom edges", () => {
    expect(placeMenu({ x: 380, y: 800 }, size, viewport)).toEqual({ left: 180, top: 650 });
  });

  it("stays inside the viewport when neither side has room", () => {
    expect(placeMenu({ x: 100, y: 100 }, { width: 380, height: 900 }, viewport)).toEqual({ left: 8, top: 8 });
  });
});
