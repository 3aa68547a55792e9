"""Offline bilingual policy assistant for live-streaming e-commerce (直播带货)."""
