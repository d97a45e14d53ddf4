"""Label stock: page size, label size and where each label sits on the page (millimetres)."""
from dataclasses import dataclass

INCH = 25.4


@dataclass(frozen=True)
class Stock:
    key: str
    name: str
    page: tuple[float, float]  # width, height
    label: tuple[float, float]
    columns: int = 1
    rows: int = 1
    origin: tuple[float, float] = (0.0, 0.0)  # top-left corner of the first label
    pitch: tuple[float, float] = (0.0, 0.0)  # distance between label corners across, down

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def position(self, slot: int) -> tuple[int, float, float]:
        """(page number, x, y) of label slot `slot`, counting from 0 across each row."""
        page, index = divmod(slot, self.per_page)
        row, column = divmod(index, self.columns)
        return (page, self.origin[0] + column * self.pitch[0],
                self.origin[1] + row * self.pitch[1])


STOCKS = {s.key: s for s in [
    Stock("avery-l7651", "A4 sheet, 65 labels 38.1 × 21.2 mm (Avery L7651)", (210, 297),
          (38.1, 21.2), 5, 13, (4.7, 10.7), (40.6, 21.2)),
    Stock("avery-5160", "US Letter sheet, 30 labels 2⅝ × 1 in (Avery 5160)",
          (8.5 * INCH, 11 * INCH), (2.625 * INCH, 1 * INCH), 3, 10,
          (0.1875 * INCH, 0.5 * INCH), (2.75 * INCH, 1 * INCH)),
    Stock("thermal-62x29", "Thermal roll, 62 × 29 mm (Brother DK-11209)", (62, 29), (62, 29)),
    Stock("thermal-2x1", "Thermal roll, 2 × 1 in", (2 * INCH, 1 * INCH), (2 * INCH, 1 * INCH)),
]}
