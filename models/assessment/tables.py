"""The assessment's tables: each year's scheme (its TOML text, who loaded it, whether
the year is closed) and the frozen score sheets of a closed year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime


class AssessmentScheme(Base):
    """A year's scheme as loaded (the text is parsed again when read: it is small)."""

    __tablename__ = "assessment_scheme"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))


class AssessmentSheetLine(Base):
    """One clause of one org's sheet, as it stood when the county closed the year."""

    __tablename__ = "assessment_sheet_line"
    __table_args__ = (Index("ix_assessment_sheet_line_year_org_id", "year", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("assessment_scheme.year"))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    position: Mapped[int] = mapped_column(Integer)
    item_title: Mapped[str] = mapped_column(String(100))
    clause_key: Mapped[str] = mapped_column(String(40))
    clause_title: Mapped[str] = mapped_column(String(200))
    points: Mapped[float] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(300))
    counted: Mapped[bool] = mapped_column(Boolean)  # False: nothing was due, not in the total
