"""Photos on a case: only real JPEG, PNG or WebP images within the size limit are kept, under a
generated name and without their EXIF data; anything else is refused with nothing stored."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shouwang.cases import services
from shouwang.cases.models import Attachment, TimelineKind
from shouwang.cases.tests.factories import Loop, dispatched, make_case
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def photo(fmt: str = "JPEG", size: tuple[int, int] = (40, 20), exif: bool = True) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif and fmt == "JPEG":
        tags = Image.Exif()
        tags[0x010F] = "SomePhone"  # Make
        tags[0x0112] = 6  # Orientation: rotate 90° clockwise to display
        image.save(out, fmt, exif=tags.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_phone_photo_is_kept_upright_without_its_exif(loop: Loop, media_root: Path) -> None:
    case = dispatched(loop)
    attachment = services.attachment_add(
        actor=loop.person("responder"), case=case, data=photo(), note="现场照片"
    )
    path = media_root / attachment.file.name
    assert path.exists()
    assert attachment.file.name.startswith("cases/") and attachment.file.name.endswith(".jpg")
    with Image.open(path) as kept:
        assert kept.format == "JPEG"
        assert dict(kept.getexif()) == {}
        assert kept.size == (20, 40)  # the orientation was applied before EXIF was dropped
    assert attachment.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert attachment.size == path.stat().st_size
    assert (attachment.width, attachment.height) == (20, 40)
    assert attachment.event.kind == TimelineKind.ATTACHMENT_ADDED


def test_a_jpeg_keeps_nothing_but_its_pixels(loop: Loop, media_root: Path) -> None:
    """A comment (COM), XMP and an ICC profile are side channels too: none is stored."""
    image = Image.new("RGB", (30, 10), (10, 120, 30))
    out = io.BytesIO()
    xmp = b"<x:xmpmeta><rdf:Description GPSLatitude='29.3'/></x:xmpmeta>"
    image.save(out, "JPEG", comment=b"13800138000 owner", xmp=xmp, icc_profile=b"\0" * 128)
    case = dispatched(loop)
    attachment = services.attachment_add(
        actor=loop.person("responder"), case=case, data=out.getvalue()
    )
    stored = (media_root / attachment.file.name).read_bytes()
    assert b"13800138000" not in stored and b"xmpmeta" not in stored
    with Image.open(media_root / attachment.file.name) as kept:
        assert not {"comment", "xmp", "icc_profile", "exif"} & set(kept.info)
        assert kept.size == (30, 10)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(loop: Loop, media_root: Path, fmt: str) -> None:
    attachment = services.attachment_add(
        actor=loop.person("dispatcher"), case=make_case(loop), data=photo(fmt)
    )
    assert attachment.content_type == f"image/{fmt.lower()}"


@pytest.mark.parametrize(
    "data",
    [
        b"this is not an image, whatever the file name says",
        photo("GIF", exif=False),
        photo("BMP", exif=False),
        photo()[:200],  # a truncated JPEG
    ],
    ids=["text", "gif", "bmp", "truncated"],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused_with_nothing_stored(
    loop: Loop, media_root: Path, data: bytes
) -> None:
    with pytest.raises(InvalidInput):
        services.attachment_add(actor=loop.person("dispatcher"), case=make_case(loop), data=data)
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversize_upload_is_refused_with_nothing_stored(
    loop: Loop, media_root: Path, settings
) -> None:
    settings.SHOUWANG_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(InvalidInput):
        services.attachment_add(
            actor=loop.person("dispatcher"), case=make_case(loop), data=photo(size=(400, 400))
        )
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_someone_who_cannot_see_the_case_cannot_add_to_it(loop: Loop, media_root: Path) -> None:
    with pytest.raises(NotFound):
        services.attachment_add(
            actor=loop.person("dispatcher", "b"), case=make_case(loop), data=photo()
        )
    assert stored_files(media_root) == []


def test_upload_over_the_api(loop: Loop, media_root: Path) -> None:
    case = dispatched(loop)
    client = ApiClient(loop.person("responder").username)
    upload = SimpleUploadedFile("IMG_0001.JPG", photo(), content_type="image/jpeg")
    response = client.client.post(
        f"/api/v1/cases/{case.pk}/attachments",
        {"file": upload, "note": "处置后"},
        headers=client.headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/jpeg" and body["note"] == "处置后"
    assert "IMG_0001" not in body["url"]
    detail = client.get(f"/api/v1/cases/{case.pk}").json()
    assert [a["id"] for a in detail["attachments"]] == [body["id"]]
    download = client.get(body["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
    assert ApiClient(loop.person("dispatcher", "b").username).get(body["url"]).status_code == 404


def test_a_fake_image_over_the_api_is_422(loop: Loop, media_root: Path) -> None:
    case = dispatched(loop)
    client = ApiClient(loop.person("responder").username)
    upload = SimpleUploadedFile("evil.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg")
    response = client.client.post(
        f"/api/v1/cases/{case.pk}/attachments", {"file": upload}, headers=client.headers
    )
    assert response.status_code == 422
    assert stored_files(media_root) == []
