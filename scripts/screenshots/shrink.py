"""Copies the screenshots the docs show from the browser suite's folder into docs/images,
small: at most 1000 px wide and 1100 px tall (the top of a long page), in 256 colours.
Usage: shrink.py FROM_FOLDER TO_FOLDER"""

import sys
from pathlib import Path

from PIL import Image

# name in the browser suite → name in docs/images
CHOSEN = {
    "demo-dashboard-desktop": "dashboard",
    "demo-dashboard-phone": "dashboard-phone",
    "demo-called-desktop": "enquiry-call",
    "demo-synced-within-an-hour-desktop": "enquiries-filtered",
    "demo-suitedash-desktop": "suitedash",
    "demo-ringcentral-desktop": "ringcentral",
    "demo-messages-desktop": "messages",
    "demo-jobs-desktop": "jobs",
}
MAX_WIDTH, MAX_HEIGHT = 1000, 1100

source, target = Path(sys.argv[1]), Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
total = 0
for name, out in CHOSEN.items():
    image = Image.open(source / f"{name}.png").convert("RGB")
    scale = min(1.0, MAX_WIDTH / image.width)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    image = image.crop((0, 0, image.width, min(image.height, MAX_HEIGHT)))
    path = target / f"{out}.png"
    # Octree keeps small areas of colour (a status's orange) that median cut merged into red.
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
    total += path.stat().st_size
    print(f"{path}  {image.width}x{image.height}  {path.stat().st_size // 1024} KB")
print(f"{len(CHOSEN)} screenshots, {total // 1024} KB")
