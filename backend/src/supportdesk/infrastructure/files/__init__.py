"""Files on cases: what an upload is (``inspect``), where its bytes live (``storage``)."""
