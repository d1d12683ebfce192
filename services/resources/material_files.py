"""A material's file, kept in GridFS (the store's own file collections) with its SHA-256.

Only the version being drafted takes a new file; a published version keeps the file it was
published with. The size and type are checked before anything is stored: binary types by the
file's own signature (the `filetype` library), text types by being UTF-8.

A file is stored before the draft names it, so a crash in between leaves a file nothing names;
`remove_orphans` deletes such files once they are older than any upload can take.
"""
import base64
import binascii
import hashlib

import filetype
from gridfs import GridFSBucket
from gridfs.errors import NoFile

from shared.errors import Conflict, InvalidInput, NotFound
from shared.store import new_id

from services.resources.contract import TEXT_FILE_TYPES
from services.resources.materials import MATERIAL_STATES, get_material, get_version, history, require_author_or_editor
from services.resources.store import FILE_BUCKET, MATERIALS


def bucket(db):
    return GridFSBucket(db, bucket_name=FILE_BUCKET)


def checked_content(upload, max_bytes):
    """The file's bytes, or InvalidInput saying what is wrong with them."""
    try:
        data = base64.b64decode(upload["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the file is not valid base64", {"fields": {"content_base64": ["not base64"]}}) from None
    if not data:
        raise InvalidInput("the file is empty", {"fields": {"content": ["empty"]}})
    if len(data) > max_bytes:
        raise InvalidInput(f"the file is {len(data)} bytes; at most {max_bytes} are accepted",
                           {"fields": {"content": [f"over {max_bytes} bytes"]}, "max_bytes": max_bytes})
    declared = upload["content_type"]
    found = filetype.guess_mime(data)
    if declared in TEXT_FILE_TYPES:
        if found is not None or not is_utf8(data):
            raise InvalidInput(f"the file is not {declared} (UTF-8 text)", {"fields": {"content_type": [
                f"the content is {found or 'not UTF-8 text'}"]}})
    elif found != declared:
        raise InvalidInput(f"the file's content is {found or 'of an unknown type'}, not {declared}",
                           {"fields": {"content_type": [f"the content is {found or 'of an unknown type'}"]}})
    return data


def is_utf8(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def attach(db, material_id, upload, actor, now, max_bytes):
    """Store the file of the version being drafted; the same content again changes nothing."""
    material = require_author_or_editor(get_material(db, material_id), actor, "attach files to")
    MATERIAL_STATES.require(material, "edit")
    data = checked_content(upload, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    if material["file"] and material["file"]["sha256"] == digest and material["file"]["filename"] == upload["filename"]:
        return material
    record = {"file_id": new_id("file"), "filename": upload["filename"], "content_type": upload["content_type"],
              "size": len(data), "sha256": digest, "uploaded_by": actor["id"], "uploaded_at": now}
    files = bucket(db)
    files.upload_from_stream_with_id(record["file_id"], upload["filename"], data, metadata={
        "material_id": material_id, "version": material["version"], "content_type": upload["content_type"],
        "sha256": digest})
    try:
        updated = MATERIAL_STATES.apply(db, material, "edit", changes={"file": record}, now=now,
                                        guard={"version": material["version"], **same_file(material)},
                                        history=history("file_attached", actor, material["version"],
                                                        upload["filename"]))
    except Conflict:
        files.delete(record["file_id"])  # the draft moved on meanwhile: keep no orphan
        raise
    replaced = material["file"]
    if replaced and all((published["file"] or {}).get("file_id") != replaced["file_id"]
                        for published in material["versions"]):
        delete_quietly(files, replaced["file_id"])  # a draft's earlier upload that no version kept
    return updated


def same_file(material):
    """A guard that the draft still has the file it was read with."""
    return {"file.file_id": material["file"]["file_id"]} if material["file"] else {"file": None}


def delete_quietly(files, file_id):
    try:
        files.delete(file_id)
    except NoFile:
        pass


def remove_orphans(db, uploaded_before):
    """Delete the stored files no material or published version names, uploaded before the given
    time; returns their ids."""
    named = set()
    for material in db[MATERIALS].find({}, {"file.file_id": 1, "versions.file.file_id": 1}):
        for record in [material.get("file")] + [version.get("file") for version in material.get("versions", [])]:
            if record:
                named.add(record["file_id"])
    files = bucket(db)
    orphans = [stored._id for stored in files.find({"uploadDate": {"$lt": uploaded_before}}) if stored._id not in named]
    for file_id in orphans:
        delete_quietly(files, file_id)
    return orphans


def download(db, material_id, version=None):
    """The file of a version (default: the one in use, else the draft) with its content."""
    material = get_material(db, material_id)
    chosen = get_version(db, material_id, version or material["published_version"] or material["version"])
    record = chosen["file"]
    if record is None:
        raise NotFound(f"version {chosen['version']} of material {material_id} has no file",
                       {"material_id": material_id, "version": chosen["version"]})
    data = bucket(db).open_download_stream(record["file_id"]).read()
    return dict(record, content_base64=base64.b64encode(data).decode("ascii"))
