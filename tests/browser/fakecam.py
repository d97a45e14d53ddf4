"""Fake camera feeds for Chromium (--use-file-for-fake-video-capture): Y4M files made here from
a generated QR code or Code 128, so the tests need no video tools."""
import numpy as np
import qrcode
import zxingcpp
from PIL import Image

W, H = 640, 480


def _on_canvas(image: Image.Image, scale: int) -> Image.Image:
    # Whole-number upscaling keeps the modules crisp, like a steady phone held close.
    image = image.convert("RGB").resize((image.width * scale, image.height * scale),
                                        Image.NEAREST)
    canvas = Image.new("RGB", (W, H), "white")
    canvas.paste(image, ((W - image.width) // 2, (H - image.height) // 2))
    return canvas


def qr_frame(text: str) -> Image.Image:
    image = qrcode.make(text, border=2).get_image()
    return _on_canvas(image, max(1, 360 // image.width))


def code128_frame(text: str) -> Image.Image:
    bars = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
                      .to_image(scale=1, add_quiet_zones=True))[0]
    image = Image.fromarray(np.tile(bars, (60, 1)).astype(np.uint8))
    return _on_canvas(image, max(1, 560 // image.width))


def blank_frame() -> Image.Image:
    return Image.new("RGB", (W, H), (128, 128, 128))


def write_y4m(path, image: Image.Image) -> None:
    """One 4:2:0 frame; Chromium loops it. Full-range BT.601 is what C420jpeg means."""
    ycc = np.asarray(image.convert("YCbCr"))
    y = ycc[:, :, 0]
    cb, cr = (ycc[:, :, i].reshape(H // 2, 2, W // 2, 2).mean(axis=(1, 3)).round()
              .astype(np.uint8) for i in (1, 2))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{W} H{H} F30:1 Ip A1:1 C420jpeg\n".encode())
        f.write(b"FRAME\n" + y.tobytes() + cb.tobytes() + cr.tobytes())
