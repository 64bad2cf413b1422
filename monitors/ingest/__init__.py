"""Getting reports in: fetch a feed (conditional GET, size caps), parse it into Reports."""
