"""Cocreate: a co-creation community platform built on Flask."""

from community.app import create_app

__all__ = ["create_app"]
