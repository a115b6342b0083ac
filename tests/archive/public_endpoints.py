PUBLIC_ENDPOINTS = {
    "archive.index",
    "archive.item",
    "archive.download",
    "archive.recordings.video",
    "archive.recordings.captions_file",
    "archive.feed",
    "archive.export",
    "archive.interventions",
    "archive.contribute",
    "archive_api.knowledge",
    "archive_api.knowledge_item",
}
