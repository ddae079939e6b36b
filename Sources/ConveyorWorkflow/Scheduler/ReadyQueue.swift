/// Job tasks with elements waiting for a slot, highest priority first, then oldest first. Kept
/// sorted as tasks come and go, so that a tick never sorts thousands of tasks.
struct ReadyQueue {
    struct Key: Comparable {
        let priority: Int
        let id: Int64
        static func < (a: Key, b: Key) -> Bool { a.priority != b.priority ? a.priority > b.priority : a.id < b.id }
    }

    private var keys: [Key] = []
    private var members: [Int64: Int] = [:]

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }

    func contains(_ id: Int64) -> Bool { members[id] != nil }

    mutating func insert(_ id: Int64, priority: Int) {
        guard members[id] == nil else { return }
        let key = Key(priority: priority, id: id)
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        keys.insert(key, at: low)
        members[id] = priority
    }

    mutating func remove(_ id: Int64) {
        guard let priority = members.removeValue(forKey: id) else { return }
        let key = Key(priority: priority, id: id)
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        if low < keys.count, keys[low] == key { keys.remove(at: low) }
    }

    /// Ids in order, without copying the queue.
    var ids: LazyMapSequence<[Key], Int64> { keys.lazy.map(\.id) }
}
