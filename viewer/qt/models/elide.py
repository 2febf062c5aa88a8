"""Keyword-in-context columns: the text before a match is cut on its left, so the
words next to the match stay in view (Qt cuts every column on its right)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem


class ElideLeftDelegate(QStyledItemDelegate):
    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft


def elide_left(view: QAbstractItemView, column: int) -> ElideLeftDelegate:
    """Cut ``column``'s text on its left in ``view`` (the delegate is the view's child)."""
    delegate = ElideLeftDelegate(view)
    view.setItemDelegateForColumn(column, delegate)
    return delegate
